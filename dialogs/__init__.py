"""Dialogs of the Co-op Assistant: the main dialog, its follow-up and confirmation dialogs,
the cancel/help base, and the recognizer adapter over ``understanding``."""
from .actions import ACTION_VERBS, VERB_ACTIONS, Actions, PlanCommands, RemindersService
from .cancel_and_help_dialog import CancelAndHelpDialog
from .dialog_helper import cancel_all, run_dialog
from .main_dialog import (NOT_YOURS_KEY, Conversation, FollowUpDialog, ForgetDialog, MainDialog,
                          awaiting)
from .recognizer import CoopRecognizer
from .turn import TurnInfo, set_turn_info, turn_info

__all__ = ["ACTION_VERBS", "VERB_ACTIONS", "Actions", "PlanCommands", "RemindersService", "CancelAndHelpDialog",
           "cancel_all", "run_dialog", "Conversation", "FollowUpDialog", "ForgetDialog",
           "MainDialog", "awaiting", "NOT_YOURS_KEY", "CoopRecognizer", "TurnInfo", "set_turn_info", "turn_info"]
