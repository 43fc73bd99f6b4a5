"""Browser end-to-end tests (Agents Playground in Chromium); see e2e/README.md."""
