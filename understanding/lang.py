"""Which language a message is written in: English or French, cheaply.

Scores stop-words and domain words of each language over the folded text, plus accents
(é, è, à, ç, ê... are French cues). The channel locale decides only when the text does not
(a tie, or no cue at all: "H1 2021?", "60/40").

>>> detect("Quand puis-je réclamer les fonds ?")
('fr', 'text')
>>> detect("when must I claim H1 funds?")
('en', 'text')
>>> detect("FY21 H2 ?", "fr-FR")
('fr', 'locale')
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[a-z']+")

# folded words (see core.reading.fold); weights: strong cues 2, weak cues 1
_FR = {
    **dict.fromkeys(
        "quand quel quelle quels quelles est les des fonds reclamer reclamation jusqu'a jusqu "
        "puis-je dois-je je mes mon nos notre votre vos pour avec dans sur une gagnes gagne "
        "combien faut date limite echeance delai dernier derniere jour jours utiliser utilisation "
        "perdre perdus garder conserver preuves facture factures remise seuil qui peut aide merci "
        "bonjour salut rappel rappelle rappels moi ai avons sont quoi c'est qu'est-ce comment ou "
        "demande demander soumettre remboursement semestre moitie periode gains ete hiver automne "
        "printemps annee mois aout fevrier decembre janvier juillet juin avril mai mars septembre "
        "octobre novembre oublie supprime calendrier agenda arrete plus ne pas cette ce ces du au aux "
        "et ou nous vous il elle leur sont etre avoir doit doivent peux pouvons s'il plait stp svp "
        "apres avant depuis pendant durant encore reste restent trimestre exercice fiscal que qui quoi "
        "signifie veut dire correspond est-ce peut-on puis-je faut-il y a-t-il sont-ils perdue perdu "
        "gagnee gagnees accumule accumulee accumules fonds demandes jusqua quel quelles "
        "annuler annule annulez laisse laissez tomber tant pis importe abandonner".split(), 2),
    **dict.fromkeys("la le de un en a l' d' qu'".split(), 1),
}
_EN = {
    **dict.fromkeys(
        "when what which who how where why the is are can could must should do does did my our "
        "your i we you it funds fund claim claims claiming deadline last day days earned earn "
        "earnings accrued until by from with about please thanks thank hello hi hey remind "
        "reminder reminders stop me keep proof split threshold use used usage forfeit forfeited "
        "lose half period window open file submit due cut-off cutoff whats what's i'm im have has "
        "this that these those there of for and or to be get will would any all much many "
        "summer winter spring autumn fall year month january february march april june july "
        "august september october november december help calendar forget delete data "
        "cancel never mind nevermind".split(), 2),
    **dict.fromkeys("in on at an".split(), 1),
}
_ACCENTS = re.compile(r"[éèêëàâîïôûùüçœÉÈÊÀÇ]")


def scores(folded: str, raw: str) -> tuple[int, int]:
    en = fr = 0
    for word in _WORD.findall(folded):
        fr += _FR.get(word, 0)
        en += _EN.get(word, 0)
        if word.startswith(("l'", "d'", "qu'", "j'", "n'", "c'", "s'")) and len(word) > 2:
            fr += 2
    fr += 2 * min(len(_ACCENTS.findall(raw)), 3)
    return en, fr


def detect(text: str, locale: str | None = None, folded: str | None = None) -> tuple[str, str]:
    """(lang, source): source is "text" when the words decided, "locale" otherwise."""
    if folded is None:
        from core import fold

        folded = fold(text)
    en, fr = scores(folded, text)
    if en != fr and max(en, fr) >= 2:
        return ("fr" if fr > en else "en"), "text"
    loc = (locale or "").lower()
    if loc.startswith("fr"):
        return "fr", "locale"
    return "en", "locale"
