"""German text normalisation shared by indexing and querying.

Both sides of the search go through the same steps, so that what a citizen
types meets what a provider wrote: split into words, lower-case, spell
umlauts both ways ("Köln" is indexed as "koeln" and "koln"), drop function
words, and reduce each word to its Snowball stem (the algorithm PostgreSQL's
``german`` configuration uses too).
"""

import re
import threading
from functools import lru_cache

import snowballstemmer

# Letters and digits; "_" separates words, as in the full-text index, and marks facet
# tokens there (``indexing.facet_token``), which no typed word can therefore reach.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
UMLAUTS_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
UMLAUTS_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})

# Function words that carry no meaning for search (a short form of the
# Snowball German stop list that PostgreSQL's german configuration also drops).
STOP_WORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes anderm andern anders auch auf aus bei bin bis bist da damit dann das dass
    dasselbe dazu dein deine deinem deinen deiner dem demselben den denn denselben der
    derer derselbe derselben des desselben dessen dich die dies diese dieselbe dieselben
    diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines
    einig einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem
    euren eurer eures fuer für gegen gewesen hab habe haben hat hatte hatten hier hin
    hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede
    jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem
    keinen keiner keines koennen können koennte könnte machen man manche manchem manchen
    mancher manches mein meine meinem meinen meiner meines mich mir mit muss musste nach
    nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines
    selbst sich sie sind so solche solchem solchen solcher solches soll sollte sondern
    sonst ueber über um und uns unsere unserem unseren unser unseres unter viel vom von
    vor waehrend während war waren warst was weg weil weiter welche welchem welchen
    welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen wollte
    wuerde würde wuerden würden zu zum zur zwar zwischen
    """.split()
)

_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    if not hasattr(_local, "stemmer"):
        _local.stemmer = snowballstemmer.stemmer("german")
    return _local.stemmer


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The Snowball German stem of one lower-case word."""
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """The lower-case words of ``text`` without function words."""
    return [w for w in WORD.findall(text.casefold()) if w not in STOP_WORDS]


def spellings(word: str) -> list[str]:
    """The ways to write ``word`` without umlauts: "köln" -> ["koeln", "koln"]."""
    spelled = word.translate(UMLAUTS_SPELLED)
    plain = word.translate(UMLAUTS_PLAIN)
    return [spelled] if spelled == plain else [spelled, plain]


def index_words(text: str) -> list[str]:
    """Every word of ``text`` in every umlaut spelling, for the index."""
    return [spelling for word in words(text) for spelling in spellings(word)]


def query_words(text: str) -> list[str]:
    """The words of a query, umlauts spelled out as a German keyboard-less user would."""
    return [spellings(word)[0] for word in words(text)]


def stems(folded_words: list[str]) -> str:
    return " ".join(stem(w) for w in folded_words)


def query_stem(word: str) -> str:
    """The stem of a query word, reduced until it no longer changes.

    Snowball strips one suffix per pass ("schwimmkurse" -> "schwimmkurs",
    whose own stem is "schwimmkur"); searching for the fully reduced stem as a
    prefix finds every inflected form in the index.
    """
    current, reduced = word, stem(word)
    while reduced != current and len(reduced) >= 2:
        current, reduced = reduced, stem(reduced)
    return current
