"""The Teams app package: manifest template, icons, and the command that builds the zip
(``python -m teams.build_package --out dist/coop-assistant.zip``)."""
