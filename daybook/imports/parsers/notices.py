"""WhatsApp's own notices in exported chats, in the languages people here export in.

One table, NOTICES: per kind of notice (the fact the parser sets), per language, the exact
strings WhatsApp writes and the public source each was confirmed in. To add a language or a
string, add it here with its source; a string that cannot be confirmed from a public source
(WhatsApp's own locale tables as another parser collected them, a public export sample, a
parser's test fixtures) is left out, never guessed. Test: tests/test_whatsapp_notices.py.

How a string is matched depends on its kind (see MATCHING): most notices are the whole first
line of a message; "edited" is a marker at the end of it. Matching ignores the invisible
direction marks iOS puts in front, one full stop at the end and letter case; the record keeps
the text exactly as written.
"""

from dataclasses import dataclass

# WhatsApp's own strings as whats_json collected them from the iOS app's Localizable.strings
# (v22.24.81) and the Android app's strings.xml; the patterns name the keys they came from.
WHATS_JSON = (
    "https://github.com/starkdmi/whats_json/blob/760b3a0a063f8e576156e72f5807c6ab283e0943/"
    "lib/src/patterns.dart"
)
# Real exports kept as whats_json's test data, one file per language and phone.
WHATS_JSON_SAMPLES = (
    "https://github.com/starkdmi/whats_json/blob/760b3a0a063f8e576156e72f5807c6ab283e0943/"
    "test/data/"
)
WHATSR_GERMAN_ANDROID = f"{WHATS_JSON_SAMPLES}chats_unique/gesiscss%20WhatsR%20germanandroid24h.txt"
WHATS_READER_SPANISH = (
    "https://github.com/rodrigogs/whats-reader/blob/eaa4f7876e5e64bdaa73599113d0ebfed9eea68e/"
    "examples/parser-tests/spanish-format-test.txt"
)
WHIS_CONSTANTS = (
    "https://github.com/Dlurak/Whis/blob/0bf98b978b56a587fcfb7e18f6ac0ed6447acbf3/"
    "src/lib/constants/whatsapp.ts"
)
NCHAT_VIEW_ONCE = "https://github.com/d99kris/nchat/issues/516"


@dataclass(frozen=True, slots=True)
class Notice:
    strings: tuple[str, ...]
    source: str  # where each string was confirmed: a URL, with a note where it helps


# "whole": the notice is the message's whole first line.
# "end": the notice ends the first line (an edited message's marker; iOS writes a document's
#   name before "document omitted", separated by an invisible mark).
MATCHING = {
    "deleted": "whole",
    "edited": "end",
    "media_omitted": "whole",
    "view_once": "whole",
    "missed_call": "whole",
}

LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "pl", "ro", "tr", "ur")

NOTICES: dict[str, dict[str, Notice]] = {
    "deleted": {
        "en": Notice(("This message was deleted", "You deleted this message"), WHATS_JSON),
        "de": Notice(
            ("Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht"),
            f"{WHATS_JSON}; export sample {WHATS_JSON_SAMPLES}languages/deutch_ios.txt",
        ),
        "es": Notice(
            ("Se eliminó este mensaje", "Este mensaje fue eliminado", "Eliminaste este mensaje"),
            f"{WHATS_JSON}; export sample {WHATS_JSON_SAMPLES}languages/spanish_ios.txt",
        ),
        "fr": Notice(("Ce message a été supprimé", "Vous avez supprimé ce message"), WHATS_JSON),
        "it": Notice(
            ("Questo messaggio è stato eliminato", "Hai eliminato questo messaggio"), WHATS_JSON
        ),
        "pt": Notice(
            (
                "Esta mensagem foi apagada",
                "Mensagem apagada",
                "Esta mensagem foi apagada pelo remetente.",
                "Apagou esta mensagem",
                "Você apagou esta mensagem",
            ),
            WHATS_JSON,
        ),
        "pl": Notice(
            (
                "Ta wiadomość została usunięta",
                "Usunąłeś(-ęłaś) tę wiadomość",
                "Usunąłeś(aś) tę wiadomość",
            ),
            WHATS_JSON,
        ),
        "ro": Notice(("Acest mesaj a fost șters", "Ați șters acest mesaj"), WHATS_JSON),
        "tr": Notice(("Bu mesaj silindi", "Bu mesajı sildiniz"), WHATS_JSON),
        "ur": Notice(
            (
                "یہ میسج حذف کر دیا گیا ہے۔",
                "یہ پیغام حذف کیا گیا",
                "آپ نے یہ میسج حذف کر دیا ہے",
                "آپ نے یہ میسج حذف کر دیا ہے۔",
                "آپ نے اس پیغام کو حذف کیا",
            ),
            WHATS_JSON,
        ),
    },
    "edited": {
        # German and Spanish markers are seen in public code ("<Diese Nachricht wurde
        # bearbeitet>", "<Se editó este mensaje.>") but no citable source was found yet.
        "en": Notice(("<This message was edited>",), WHIS_CONSTANTS),
    },
    "media_omitted": {
        "en": Notice(
            (
                "<Media omitted>",
                "image omitted",
                "video omitted",
                "audio omitted",
                "sticker omitted",
                "GIF omitted",
                "Contact card omitted",
                "document omitted",
            ),
            f"{WHATS_JSON}; export samples {WHATS_JSON_SAMPLES}languages/english_ios.txt",
        ),
        "de": Notice(
            (
                "<Medien ausgeschlossen>",
                "<Medien weggelassen>",
                "Bild weggelassen",
                "Video weggelassen",
                "Audio weggelassen",
                "Sticker weggelassen",
                "GIF weggelassen",
                "Kontaktkarte ausgelassen",
                "Dokument weggelassen",
            ),
            f"<Medien ausgeschlossen>: export sample {WHATSR_GERMAN_ANDROID}; the rest: "
            f"{WHATS_JSON} and {WHATS_JSON_SAMPLES}languages/deutch_ios.txt",
        ),
        "es": Notice(
            (
                "<Archivo omitido>",
                "imagen omitida",
                "Video omitido",
                "audio omitido",
                "sticker omitido",
                "GIF omitido",
                "Tarjeta de contacto omitida",
                "documento omitido",
            ),
            f"{WHATS_JSON}; {WHATS_READER_SPANISH}; {WHATS_JSON_SAMPLES}languages/spanish_ios.txt",
        ),
        "fr": Notice(
            (
                "<Fichier omis>",
                "image absente",
                "vidéo absente",
                "audio omis",
                "sticker omis",
                "GIF retiré",
                "Fiche contact manquante",
                "document manquant",
            ),
            f"{WHATS_JSON}; {WHATS_JSON_SAMPLES}languages/french_ios.txt",
        ),
        "it": Notice(
            (
                "<Media omesso>",
                "immagine omessa",
                "video omesso",
                "audio omesso",
                "sticker non incluso",
                "GIF esclusa",
                "Scheda contatto omessa",
                "documento omesso",
            ),
            f"{WHATS_JSON}; {WHATS_JSON_SAMPLES}languages/italian_ios.txt",
        ),
        "pt": Notice(
            (
                "<Mídia omitida>",
                "<Ficheiro não revelado>",
                "imagem não revelada",
                "vídeo não revelado",
                "ficheiro de áudio não revelado",
                "sticker não revelado",
                "GIF não revelada",
                "Contacto não revelado",
                "documento não revelado",
                "imagem ocultada",
                "vídeo omitido",
                "áudio ocultado",
                "figurinha omitida",
                "Cartão do contato omitido",
            ),
            f"{WHATS_JSON}; {WHATS_JSON_SAMPLES}languages/portugal_ios.txt",
        ),
        "pl": Notice(
            (
                "<pliki pominięto>",
                "obraz pominięty",
                "wideo pominięte",
                "audio pominięte",
                "pominięto naklejkę",
                "Plik GIF pominięty",
                "Pominięta wizytówka kontaktu",
                "dokument pominięty",
            ),
            WHATS_JSON,
        ),
        "ro": Notice(
            (
                "<Conținut media omis>",
                "Imagine omisă",
                "clip video omis",
                "fără audio",
                "GIF omis",
                "Carte de vizită contact omisă",
                "document omis",
            ),
            WHATS_JSON,
        ),
        "tr": Notice(
            (
                "<Medya atlanmış>",
                "görüntü dahil edilmedi",
                "video dahil edilmedi",
                "ses dahil edilmedi",
                "Çıkartma dahil edilmedi",
                "GIF dahil edilmedi",
                "Kişi kartı dahil edilmedi",
                "belge dahil edilmedi",
            ),
            WHATS_JSON,
        ),
        "ur": Notice(
            (
                "<میڈیا چھوڑ دیا گیا>",
                "تصویر نکال دی گئی ہے",
                "ویڈیو نظرانداز",
                "آڈیو نظرانداز",
                "اسٹیکر نظرانداز",
                "رابطہ کارڈ نظر انداز",
                "دستاویز نظرانداز",
            ),
            WHATS_JSON,
        ),
    },
    "view_once": {
        "en": Notice(
            (
                "You received a view once message. For added privacy, you can only open it on "
                "your phone.",
                "You received a view once photo. For added privacy, you can only open it on "
                "your phone.",
            ),
            f"{NCHAT_VIEW_ONCE} quotes WhatsApp's wording for a photo; the 'message' form is "
            "the one Daybook recognised before this table (no public export sample found yet)",
        ),
    },
    "missed_call": {
        "en": Notice(
            ("Missed voice call", "Missed video call"),
            f"{WHATS_JSON}; export sample {WHATS_JSON_SAMPLES}languages/english_android.txt",
        ),
        "de": Notice(("Verpasster Sprachanruf", "Verpasster Videoanruf"), WHATS_JSON),
        "es": Notice(
            ("Llamada perdida", "Llamada de voz perdida", "Videollamada perdida"), WHATS_JSON
        ),
        "fr": Notice(("Appel vocal manqué", "Appel vidéo manqué"), WHATS_JSON),
        "it": Notice(("Chiamata vocale persa", "Videochiamata persa"), WHATS_JSON),
        "pt": Notice(
            ("Chamada de voz perdida", "Videochamada perdida", "Chamada de vídeo perdida"),
            WHATS_JSON,
        ),
        "pl": Notice(
            ("Nieodebrane poł. głosowe", "Nieodebrane połączenie", "Nieodebrane poł. wideo"),
            WHATS_JSON,
        ),
        "ro": Notice(
            (
                "Apel vocal ratat",
                "Apel vocal nepreluat",
                "Apel video ratat",
                "Apel video nepreluat",
            ),
            WHATS_JSON,
        ),
        "tr": Notice(("Cevapsız sesli arama", "Cevapsız görüntülü arama"), WHATS_JSON),
        "ur": Notice(
            ("مسڈ وائس کال", "چھوٹی ہوئی صوتی کال", "مسڈ ویڈیو کال", "چھوٹی ہوئی ویڈیو کال"),
            WHATS_JSON,
        ),
    },
}

MARKS = "\u200e\u200f"


def _key(text: str) -> str:
    """What a line and a table string are compared by: no leading direction marks, no single
    full stop at the end, no letter case."""
    text = text.lstrip(MARKS).rstrip()
    return text.removesuffix(".").casefold()


WHOLE_LINES: dict[str, str] = {
    _key(string): kind
    for kind, languages in NOTICES.items()
    if MATCHING[kind] == "whole"
    for notice in languages.values()
    for string in notice.strings
}
EDITED_ENDINGS: tuple[str, ...] = tuple(
    string.casefold() for notice in NOTICES["edited"].values() for string in notice.strings
)
OMITTED_AFTER_NAME: tuple[str, ...] = tuple(
    "\u200e" + string.casefold()
    for notice in NOTICES["media_omitted"].values()
    for string in notice.strings
    if not string.startswith("<")
)


# Longer first lines cannot be a whole notice, so they skip the lookup (most messages).
LONGEST_WHOLE_LINE = max(map(len, WHOLE_LINES)) + 8


def notices_in(first_line: str) -> list[str]:
    """The facts the first line of a message shows: WhatsApp's notices, by the table."""
    found = []
    if len(first_line) <= LONGEST_WHOLE_LINE:
        kind = WHOLE_LINES.get(_key(first_line))
        if kind is not None:
            found.append(kind)
    line_end = first_line.rstrip()
    if (
        "\u200e" in line_end
        and "media_omitted" not in found
        and line_end.casefold().endswith(OMITTED_AFTER_NAME)
    ):
        found.append("media_omitted")
    if line_end.endswith(">") and line_end.casefold().endswith(EDITED_ENDINGS):
        found.append("edited")
    return found
