"""Intent scoring: weighted keyword/pattern features over folded text, in both languages.

Each feature is a precompiled pattern over :func:`core.reading.fold` text (lower case, no
accents) that adds weight to one or more intents. The best-scoring intent wins when it
reaches :data:`THRESHOLD`; slots (periods, amounts, splits, programs) add weight too, so
"60/40 on 5000" is a split and "H1 2021 ?" a cycle question. Nothing here is a lookup of
whole sentences: new phrasings are recognised from their words.
"""
from __future__ import annotations

import re
from collections import defaultdict

from .slots import Slots

CYCLE_INTENTS = ("claim_deadline", "claim_window", "usage_period", "forfeiture", "which_half", "fy_label",
                 "timeline", "status")
ACTION_INTENTS = {"subscribe": "subscribe", "unsubscribe": "unsubscribe", "list_reminders": "list_reminders",
                  "calendar": "calendar", "forget": "forget"}
INTENTS = CYCLE_INTENTS + ("poe_retention", "split", "threshold", "program_eligibility", "fundable", "roles",
                           "how_to_claim", "subscribe", "unsubscribe", "list_reminders", "calendar", "forget",
                           "help", "cancel", "greeting", "thanks", "fallback")
THRESHOLD = 2.0

_B, _E = r"(?<![\w])", r"(?![\w])"


def _w(words: str) -> str:
    """Alternation of words/phrases (``|``-separated) with word boundaries."""
    return _B + "(?:" + words + ")" + _E


# vocabulary shared by several features (folded forms)
CLAIM = (r"claim\w*|reclaim\w*|file|filing|filed|submit\w*|submission|reimburs\w*|refund\w*|request\w*|"
         r"reclam\w*|demande\w*|soumet\w*|soumis\w*|soumission|rembours\w*|revendiqu\w*|revendication\w*|"
         r"depos\w*|depot|declarer|faire valoir|recuperer|recuperation|clam\w*|cliam\w*|calim\w*|submti\w*")
DEADLINE = (r"deadlines?|dead line|dealine|deadine|cut-?off|cut off|last day|last date|final day|latest|due|due date|"
            r"by when|until when|till when|closes?|closing|expir\w*|no later than|end date|"
            r"date limite|dates limites|echeance\w*|dernier delai|dernier jour|derniere date|jusqu'a quand|"
            r"avant quand|au plus tard|clotur\w*|ferme\w*|fin de la periode|delai\w*|date butoir|limite")
WHEN = r"when|what dates?|which dates?|window|quand|a partir de quand|quelles? dates?|fenetre|periode de (?:demande|reclamation|revendication|soumission)|claiming period|claim period"
OPENS = r"opens?|opening|start\w*|begin\w*|commence\w*|debut\w*|ouvr\w*|from when|earliest"
USE = (r"use|using|usage|spend|spent|spending|utilis\w*|depens\w*|consomm\w*|employer|use up")
FORFEIT = (r"forfeit\w*|lose|losing|lost|expire[sd]?|unused|use it or lose it|disappear\w*|vanish\w*|"
           r"perd\w*|perte|perdus?|caduc\w*|perim\w*|non utilise\w*|inutilise\w*|disparai\w*|annule\w*|forfait\w*")
EARN = r"earn\w*|accru\w*|made|make|accumul\w*|gagn\w*|acqui\w*|cumul\w*|genere\w*"
HALF_Q = (r"which half|what half|which period|what period|which semester|which earning period|what earning period|"
          r"which h|h1 or h2|fall in|falls in|fall into|falls into|belong\w*|part of which|"
          r"quel semestre|quelle moitie|quelle periode(?!\s+(?:de\s+demande|d'utilisation|de\s+reclamation|de\s+revendication|de\s+soumission))|quel h|tombe\w*|appartien\w*|fait partie|h1 ou h2|dans quel")
FY_Q = (r"fy label|fiscal label|fiscal year label|what is fy|what's fy|whats fy|what does fy|meaning of fy|"
        r"which fy|what fy|fiscal year|exercice fiscal|annee fiscale|libelle|label|c'est quoi fy|que veut dire|"
        r"signifie|veut dire|means?|which months|what months|quels mois|which calendar months|correspond\w*")
NOW = (r"now|right now|currently|current|today|at the moment|this semester|open now|still open|"
       r"maintenant|actuellement|en ce moment|aujourd'hui|en cours|actuel\w*|ouverte?s? (?:en ce moment|maintenant)")
DAYS_LEFT = r"days? left|how many days|how long (?:do i|have i|left)|remaining|combien de jours|jours restants|il (?:me|nous) reste|reste-t-il|restant\w*"
POE = (r"keep|kept|retain\w*|retention|store|storing|archiv\w*|hold on to|hang on to|proofs?|poe|documents?|docs|"
       r"invoices?|receipts?|records?|originals?|paperwork|evidence|"
       r"conserv\w*|garder|gard\w*|preuves?|factures?|justificatifs?|pieces?|originaux|archiv\w*|recus?")
SPLIT = (r"split|portion|share|how much (?:is |of )?(?:the )?co-?op|co-?op part|co-?op portion|work out|calculat\w*|compute|"
         r"breakdown|break down|repartition|partage|quelle part|la part|calcul\w*|combien de co-?op|ventil\w*")
THRESH = r"threshold|minimum|below|under the|too (?:low|small|little)|not enough|seuil|en dessous|en-dessous|inferieur\w*|pas assez|trop (?:bas|faible|peu)"
ELIG = (r"eligible|eligibility|qualif\w*|apply|applies|count|counts|covered|included|earn co-?op|earns co-?op|"
        r"does .{1,40} (?:earn|get|give|count)|s'applique\w*|eligibles?|admissibles?|compte\w*|concerne\w*|donne\w* droit|ouvre droit")
FUNDABLE = (r"what can (?:i|we) (?:use|spend|fund|pay)|use (?:co-?op|the funds|funds|it|them) (?:for|on)|spend (?:co-?op|funds|it|them|the funds)? ?on|"
            r"pay for|fund (?:what|which)|what (?:activities|kind of activities|things)|which activities|allowed activities|"
            r"eligible activities|what (?:is|are) co-?op (?:funds )?for|a quoi servent|financer|payer|quelles activites|"
            r"quel(?:s|les)? (?:types? d')?activites|pour quoi|a quoi|depenser|"
            r"(?:use|spend|utiliser|depenser|employer)\s+(?:\w+\s+){0,2}(?:co-?op|funds|fonds)\s+(?:for|on|pour|dans|en)(?=\s+[^\d\s])")
ROLES = (r"roles?|who can|who is allowed|who may|permissions?|access rights|which users?|admin|"
         r"qui peut|qui a le droit|quels? droits|autoris\w*|administrateur|utilisateur")
HOWTO = (r"how (?:do|can|to|should) (?:i|we)?|how to|where (?:do|can|to|should)|which page|what page|link|steps?|process|procedure|"
         r"cpor|guide|documentation|docs page|article|tutorial|instructions|customer association|"
         r"comment|ou (?:est|puis|dois|faut)|quelle page|lien|etapes?|procedure|marche a suivre|association client")
SUBSCRIBE = (r"remind\w*|notify|notif\w*|alert\w*|subscribe|ping me|let me know|warn me|heads up|"
             r"rappel\w*|previen\w*|prevenir|alerte\w*|notifi\w*|abonn\w*|avertis\w*|tiens-moi au courant")
UNSUB = (r"stop|unsubscribe|no more|don't (?:remind|notify|send)|do not (?:remind|notify|send)|turn off|cancel|disable|opt out|"
         r"arret\w*|desabonn\w*|desinscri\w*|plus de|ne plus|annul\w*|desactiv\w*|stopp\w*")
UNSUB_STRONG = r"unsubscribe|unsub|opt out|opt-out|desabonn\w*|desinscri\w*|se desabonner"
LIST = r"my reminders|list|which reminders|what reminders|show (?:me )?(?:my )?reminders|mes rappels|liste\w*|quels rappels|voir mes"
CAL = r"calendar(?!\s+(?:year|quarter|month|half))|calender|outlook|ics|ical|agenda|calendrier(?!\s+(?:fiscal|civil))"
FORGET = (r"forget|delete my|erase|remove my|wipe|gdpr|my data|personal data|data you (?:have|hold|store)|"
          r"(?:delete|remove|erase) (?:everything|all)|(?:everything|all|what) you (?:know|have|keep|store) (?:about|on) me|"
          r"tout ce que (?:tu sais|vous savez)|supprime\w* tout|efface\w* tout|"
          r"oublie\w*|supprim\w*|effac\w*|rgpd|mes donnees|donnees personnelles")
HELP = r"help|what can you do|what do you do|commands?|how does this work|aide|que sais-tu|que peux-tu|tu sers a quoi|comment ca marche|aidez-moi"
GREET = r"hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|yo|bonjour|salut|coucou|bonsoir|hello there"
THANKS = r"thanks?|thank you|thx|ty|cheers|much appreciated|great|perfect|merci|parfait|super|top"

# (pattern, {intent: weight})
_FEATURES_SRC: list[tuple[str, dict[str, float]]] = [
    (_w(CLAIM), {"claim_deadline": 1.0, "claim_window": 1.0, "how_to_claim": 0.5}),
    (_w(DEADLINE), {"claim_deadline": 2.0, "forfeiture": 0.3}),
    (_w(WHEN), {"claim_window": 1.2, "claim_deadline": 0.6, "usage_period": 0.6, "forfeiture": 0.6}),
    (_w(OPENS), {"claim_window": 1.3}),
    (_w(USE), {"usage_period": 1.6, "fundable": 0.5}),
    (_w(FORFEIT), {"forfeiture": 2.6}),
    (_w(EARN), {"timeline": 0.6}),
    (_w(HALF_Q), {"which_half": 2.6}),
    (_w(FY_Q), {"fy_label": 1.5}),
    (_w(NOW), {"status": 1.6}),
    (_w(DAYS_LEFT), {"status": 1.4, "claim_deadline": 1.0}),
    (_w(POE), {"poe_retention": 2.2}),
    (_w(r"programs?|programmes?"), {"program_eligibility": 1.2}),
    (_w(r"24 months|24 mois|how long|combien de temps|pendant combien|until when|jusqu'a quand|jusqu'en|jusqu'au"), {"poe_retention": 0.8}),
    (_w(SPLIT), {"split": 2.2}),
    (_w(r"rebate|remise|ristourne"), {"split": 0.6, "threshold": 0.4}),
    (_w(THRESH), {"threshold": 2.2}),
    (_w(r"converted|converti\w*|convert\w*|transform\w*"), {"threshold": 1.2}),
    (_w(ELIG), {"program_eligibility": 1.0}),
    (_w(r"(?:eligible|qualif\w*|admissibles?|eligibles?) (?:for|to|a|pour|aux?) (?:la )?co-?op"), {"program_eligibility": 1.2, "fundable": 0.6}),
    (_w(FUNDABLE), {"fundable": 2.5}),
    (_w(r"marketing|events?|webinars?|ads|advertising|certifications?|trainings?|readiness|salons?|evenements?|publicite|formations?|campaigns?|campagnes?"), {"fundable": 0.8}),
    (_w(ROLES), {"roles": 2.0}),
    (_w(HOWTO), {"how_to_claim": 1.4}),
    (_w(SUBSCRIBE), {"subscribe": 3.6}),
    (_w(UNSUB), {"unsubscribe": 1.5}),
    (_w(UNSUB_STRONG), {"unsubscribe": 2.5}),
    (_w(LIST), {"list_reminders": 1.5}),
    (_w(CAL), {"calendar": 3.0}),
    (_w(FORGET), {"forget": 2.5}),
    (_w(HELP), {"help": 2.2}),
    (r"^\W*(?:" + GREET + r")" + _E, {"greeting": 2.5}),
    (_w(THANKS), {"thanks": 2.2}),
    (_w(r"h1|h2|semester|semestre|half|moitie|halves"), {"which_half": 0.4, "timeline": 0.3}),
]
FEATURES = [(re.compile(p), w) for p, w in _FEATURES_SRC]
_POE_RE = re.compile(_w(POE))
_CLAIM_RE = re.compile(_w(CLAIM))
_USE_RE = re.compile(_w(USE))
_UNSUB_REMIND = re.compile(_w(UNSUB) + r".{0,40}" + _w(SUBSCRIBE) + "|" + _w(SUBSCRIBE) + r".{0,20}" + _w(r"off|stop|no more|plus"))
_LIST_REMIND = re.compile(_w(LIST) + r".{0,30}" + _w(SUBSCRIBE) + "|" + _w(r"which|what|quels|show|mes|my") + r".{0,15}" + _w(r"reminders|rappels|subscriptions?|abonnements?"))
_CAL_ADD = re.compile(_w(r"add|put|export|ajout\w*|mettre|met|inscri\w*|download|telecharg\w*"))
_FOLLOWUP = re.compile(r"^\W*(?:and|what about|how about|same for|same (?:question|thing) for|et|et pour|et en|et si|et avec|pareil pour|meme chose pour|idem pour|and for|and in|or|ou|what if|for)" + _E)
_QUESTIONISH = re.compile(r"\?|" + _w(r"when|what|which|how|quand|quel\w*|comment|combien"))


def score(folded: str, slots: Slots) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for pattern, weights in FEATURES:
        if pattern.search(folded):
            for intent, weight in weights.items():
                scores[intent] += weight
    # slots
    if slots.periods or slots.period_error:
        for intent in ("claim_deadline", "claim_window", "usage_period", "forfeiture", "which_half", "fy_label", "timeline"):
            scores[intent] += 0.6
        scores["poe_retention"] += 0.3
        if any(p.kind in ("fy_half", "fy_year", "fy_quarter") for p in slots.periods):
            scores["fy_label"] += 0.6
        if any(p.kind == "date" for p in slots.periods):
            scores["poe_retention"] += 0.5
    if slots.split or slots.split_error:
        scores["split"] += 2.5
        scores["threshold"] -= 0.5
    if slots.amount is not None or slots.amount_error:
        scores["split"] += 0.8
        scores["threshold"] += 0.6
    if slots.programs:
        scores["program_eligibility"] += 2.2
        if any(not p.earns_coop for p in slots.programs):
            scores["how_to_claim"] += 0.5
    # "now" with a cycle word ("what can I claim now", "days left to use") is about today
    if scores.get("status", 0) > 0 and not (slots.periods or slots.period_error) and max(
            scores.get("claim_deadline", 0), scores.get("claim_window", 0), scores.get("forfeiture", 0),
            scores.get("usage_period", 0)) >= 1.0:
        scores["status"] += 1.0
    # "use by when?" / "jusqu'a quand utiliser ?" with no claiming word is about the usage period
    if _USE_RE.search(folded) and not _CLAIM_RE.search(folded) and scores.get("fundable", 0) < 2.5:
        scores["usage_period"] += 1.5
    # keeping documents is retention, not claiming, unless the message speaks of claiming
    if _POE_RE.search(folded) and not _CLAIM_RE.search(folded):
        scores["claim_deadline"] -= 1.0
        scores["claim_window"] -= 1.0
    if _UNSUB_REMIND.search(folded):
        scores["unsubscribe"] += 2.5
        scores["subscribe"] -= 1.5
    if _LIST_REMIND.search(folded) and not _UNSUB_REMIND.search(folded):
        scores["list_reminders"] += 2.8
        scores["subscribe"] -= 1.0
    if scores.get("calendar") and _CAL_ADD.search(folded):
        scores["calendar"] += 1.0
    # "how do I claim" is a how-to, unless a period or deadline word says "when"
    if scores.get("how_to_claim", 0) >= 1.4 and not slots.periods and scores.get("claim_deadline", 0) < 2.5:
        scores["how_to_claim"] += 0.8
    return scores


# "cancel": only a message that is nothing but a way of calling it off ("never mind",
# "annuler", "non, laisse tomber stp"), never a question that contains such a word ("can I
# cancel a claim?", "annuler une demande ?"). Folded forms, whole message.
CANCEL_SCORE = 5.0
_CANCEL_PHRASES = (r"cancel(?: (?:it|that|this|please|the question))?|never ?mind|nvm|forget (?:it|about it)|abort|quit|"
                   r"stop(?: (?:it|that|this))?|exit|start over|"
                   r"annul(?:e|er|ez)(?: (?:ca|cela|tout))?|laisse(?:z)? tomber|tant pis|peu importe|"
                   r"abandonn(?:e|er|ez)|arret(?:e|ez|er)(?: (?:ca|la|tout))?|on arrete|stoppe")
_CANCEL_POLITE = r"ok|okay|oh|ah|no|nope|just|actually|please|pls|thanks|non|bon|ben|finalement|en fait|merci|stp|svp|s'il (?:te|vous) plait"
_CANCEL = re.compile(r"^(?:(?:" + _CANCEL_POLITE + r") )*(?:" + _CANCEL_PHRASES + r")(?: (?:" + _CANCEL_POLITE + r"))*$")
_NOT_WORD = re.compile(r"[^\w']+")


def is_cancel(folded: str) -> bool:
    """True when the whole message calls off what is going on.

    >>> is_cancel("never mind!"), is_cancel("non, laisse tomber s'il te plait")
    (True, True)
    >>> is_cancel("can i cancel a claim?"), is_cancel("annuler une demande ?")
    (False, False)
    """
    words = _NOT_WORD.sub(" ", folded).strip()
    return bool(words) and len(words) <= 60 and bool(_CANCEL.match(words))


def best(scores: dict[str, float]) -> tuple[str, float]:
    if not scores:
        return "fallback", 0.0
    # ties break by the order of INTENTS (deadline before window before usage...)
    intent = max(INTENTS, key=lambda name: (scores.get(name, 0.0), -INTENTS.index(name)))
    return intent, scores.get(intent, 0.0)


def is_followup(folded: str) -> bool:
    return bool(_FOLLOWUP.search(folded)) or len(folded.split()) <= 4


def questionish(folded: str) -> bool:
    return bool(_QUESTIONISH.search(folded))
