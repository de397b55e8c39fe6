"""The interface in German."""

from __future__ import annotations

from bot.i18n.texts import Texts

GERMAN = Texts(
    language="de",
    rtl=False,
    welcome="Sanad beantwortet Fragen zu Nachrichtenartikeln mit Zitaten aus den Artikeln selbst.",
    loaded="Geladen:",
    more_articles="…und {count:,} weitere: /sources listet alle auf.",
    try_examples="Frag in einer beliebigen Sprache oder probier eine dieser Fragen:",
    examples=(
        "Wer hat die Vorwürfe zurückgewiesen?",
        "Welche Gruppe hat Microsoft Exchange gehackt?",
        "Was hat Dominic Raab gesagt?",
    ),
    help=(
        "Schick eine Frage in einer beliebigen Sprache: Ich antworte mit den Sätzen des Artikels, wörtlich"
        " zitiert, und sage, wo sie darin stehen.",
        "In Gruppen: /ask und deine Frage, {mention} mit deiner Frage erwähnen oder auf eine meiner"
        " Nachrichten antworten. Antworte mit /ask auf die Nachricht eines Kollegen, um die Frage darin zu"
        " stellen.",
        "In jedem Chat: Tippe {mention} und deine Frage und wähle dann ein Zitat zum Teilen aus.",
        "Unter einer Antwort zeigt „Mehr Kontext“ die Sätze rund um das beste Zitat und „Weitere Treffer“"
        " die nächstbesten Sätze.",
        "Eigenen Artikel hinzufügen: /add und ein Link, oder schick eine Datei (.txt, .md, .html, .pdf,"
        " .docx, ein Foto) oder füge den Text ein und tippe auf „Zur Bibliothek hinzufügen“. Jeder Chat"
        " hat seine eigene Bibliothek; in Gruppen können nur Admins Artikel hinzufügen und entfernen.",
        "Antworte auf eine meiner Antworten mit einer Frage, um nur zum Artikel dieser Antwort zu fragen."
        " Unter jeder Antwort sagst du mit 👍 oder 👎, ob sie die Frage beantwortet hat: Die Bewertungen"
        " bleiben in der Bibliothek dieses Chats.",
        "Fotos gedruckter Seiten und gescannte PDFs lese ich per OCR (Arabisch und Englisch) und biete sie"
        " wie eine Datei zum Hinzufügen an.",
        "/sources listet die Artikel des Chats und die gemeinsamen auf; /remove und /clear entfernen"
        " deine; /repair repariert die Bibliothek dieses Chats, falls sie einmal beschädigt ist; /shared"
        " off durchsucht nur die eigenen Artikel dieses Chats; /watch on (Admins) fügt jeden Artikellink"
        " und jeden weitergeleiteten Beitrag in einem Kanal oder einer Gruppe hinzu, in der ich Admin bin.",
    ),
    paragraph="Absatz {number} von {total}",
    more_context="Mehr Kontext",
    other_matches="Weitere Treffer",
    back="Zurück zur Antwort",
    context_heading="Rund um das beste Zitat:",
    others_heading="Weitere Treffer:",
    no_answer="Nicht im Artikel: Kein Satz beantwortet „{question}“ genau genug.",
    no_answer_hint="Versuch es mit anderen Worten oder sieh mit /sources nach, was geladen ist.",
    doubt_close="Zwei Sätze könnten das beantworten: Prüf beide.",
    doubt_unsure="Nicht sicher: Das ist der passendste Satz, aber vielleicht beantwortet er die Frage nicht.",
    no_letters="Stell eine Frage in Worten, zum Beispiel: {example}",
    too_long="Diese Frage ist {length:,} Zeichen lang; bitte bleib unter {limit:,}.",
    not_text="Ich kann nur Fragen lesen, die als Text geschrieben sind. Schick deine Frage als Nachricht.",
    ask_usage="Schreib deine Frage nach /ask, zum Beispiel: /ask {example} (oder antworte mit /ask auf"
    " eine Nachricht, die sie stellt).",
    unknown_command="Diesen Befehl kenne ich nicht. /help zeigt, was ich kann.",
    button_stale="Dieser Button gilt nicht mehr.",
    button_not_yours="Dieser Button ist für die Person, die gefragt hat.",
    error="Entschuldigung, etwas ist schiefgelaufen. Bitte versuch es gleich noch einmal.",
    gave_up="Entschuldigung, ich konnte diese Nachricht nicht verarbeiten. Bitte schick sie später noch"
    " einmal.",
    add_interrupted="Das Hinzufügen von {label} wurde unterbrochen. Bitte schick es noch einmal.",
    refused="Entschuldigung, dieser Bot antwortet nur in den Chats, für die er eingerichtet wurde.",
    chat_library_damaged="Die eigenen Artikel dieses Chats sind nicht verfügbar: Seine Bibliothek ist"
    " beschädigt. Ein Gruppenadmin (oder in einem privaten Chat dessen Inhaber) kann /repair senden; auf"
    " dem Server: sanad repair --chat {chat_id}",
    repair_usage="Nur ein Gruppenadmin kann die Bibliothek dieses Chats reparieren.",
    shared_state_on="Dieser Chat durchsucht neben seinen eigenen auch die gemeinsamen Artikel.",
    shared_state_off="Dieser Chat durchsucht nur seine eigenen Artikel: Die gemeinsamen sind ausgeschaltet.",
    shared_usage="Schick /shared off, um nur die Artikel dieses Chats zu durchsuchen, oder /shared on, um"
    " auch die gemeinsamen zu durchsuchen.",
    shared_turned_on="Ab jetzt durchsucht dieser Chat auch die gemeinsamen Artikel.",
    shared_turned_off="Ab jetzt durchsucht dieser Chat nur seine eigenen Artikel. /shared on holt die"
    " gemeinsamen zurück.",
    repaired="Die Bibliothek dieses Chats ist repariert: Fragen sind wieder möglich ({documents:,}"
    " Artikel, {sentences}).",
    repair_not_needed="Die Bibliothek dieses Chats ist in Ordnung: Es gibt nichts zu reparieren.",
    repair_failed="Ich konnte die Bibliothek dieses Chats nicht reparieren. Führ auf dem Server aus: sanad"
    " repair --chat {chat_id}",
    chat_sources_heading="Artikel dieses Chats:",
    shared_sources_heading="Gemeinsame Artikel (jeder Chat kann dazu Fragen stellen):",
    no_chat_sources="Dieser Chat hat noch keine eigenen Artikel: Füge mit /add einen Link hinzu oder"
    " schick eine Datei oder den Text des Artikels.",
    article_details="{sentences}, hinzugefügt am {added}",
    article_byline="von {author}, {published}",
    add_usage="Schick /add mit dem Link des Artikels oder antworte mit /add auf eine Nachricht oder Datei,"
    " die den Artikel enthält.",
    reading="Artikel wird gelesen…",
    added="Zur Bibliothek dieses Chats hinzugefügt: {title} ({sentences}). Frag mich dazu.",
    already_added="Schon in der Bibliothek dieses Chats: {title}.",
    offer_text="Das sieht nach einem Artikel aus ({characters:,} Zeichen). Soll ich ihn zur Bibliothek"
    " dieses Chats hinzufügen, damit ich Fragen dazu beantworten kann?",
    offer_parts="Das sieht nach einem Artikel aus, der in {parts} Nachrichten geschickt wurde"
    " ({characters:,} Zeichen). Soll ich ihn als einen Artikel zur Bibliothek dieses Chats hinzufügen,"
    " damit ich Fragen dazu beantworten kann?",
    offer_file="{name} zur Bibliothek dieses Chats hinzufügen?",
    add_button="Zur Bibliothek hinzufügen",
    offer_gone="Ich kann diese Nachricht nicht mehr sehen. Schick sie noch einmal oder antworte mit /add"
    " darauf.",
    editors_only="In dieser Gruppe können nur Admins Artikel hinzufügen oder entfernen.",
    editors_unknown="Ich konnte nicht prüfen, ob du hier Admin bist. Bitte versuch es gleich noch einmal.",
    remove_button="{number} entfernen",
    remove_usage="Schick /remove mit der Nummer des Artikels aus /sources, zum Beispiel: /remove 1",
    remove_missing="Dieser Chat hat keinen Artikel mit der Nummer {number}. /sources listet sie auf.",
    confirm_remove="„{title}“ aus der Bibliothek dieses Chats entfernen?",
    confirm_clear="Alle {count:,} Artikel aus der Bibliothek dieses Chats entfernen?",
    remove_yes="Ja, entfernen",
    clear_yes="Ja, alle entfernen",
    cancel="Abbrechen",
    removed="„{title}“ wurde aus der Bibliothek dieses Chats entfernt.",
    already_removed="Dieser Artikel wurde bereits entfernt.",
    cleared="{count:,} Artikel aus der Bibliothek dieses Chats entfernt.",
    nothing_to_clear="Die Bibliothek dieses Chats ist bereits leer.",
    unsupported_link="Ich kann nur http- und https-Links hinzufügen. Schick die Webadresse des Artikels.",
    blocked_address="Dieser Link führt zu einer Adresse in einem privaten oder lokalen Netzwerk, und"
    " solche öffne ich nicht. Schick einen öffentlichen Link.",
    dead_link="Ich konnte diesen Link nicht öffnen: Die Website hat nicht oder mit einem Fehler"
    " geantwortet. Prüf, ob er sich im Browser öffnen lässt.",
    dead_link_status="Diese Seite hat mit {status} geantwortet: {meaning}. Prüf, ob sich der Link im"
    " Browser öffnen lässt.",
    dead_link_host="Ich konnte die Website {host} nicht finden. Prüf den Link auf Tippfehler.",
    statuses=(
        (401, "sie erfordert eine Anmeldung"),
        (403, "die Website verweigert den Zugriff"),
        (404, "diese Seite gibt es nicht"),
        (410, "die Seite wurde entfernt"),
        (429, "zu viele Anfragen; versuch es später noch einmal"),
    ),
    status_server="die Website hat ein Problem; versuch es später noch einmal",
    slow_page="Das Laden der Seite hat zu lange gedauert. Versuch es später noch einmal oder füge den Text"
    " des Artikels ein.",
    redirect_loop="Dieser Link leitet zu oft weiter. Öffne ihn im Browser und schick die Adresse, bei der"
    " er landet.",
    too_large="Das ist zu groß: Die Grenze liegt bei {limit}. Schick nur den Artikel oder füge seinen Text"
    " ein.",
    sentence_count=(
        "{count:,} Satz",
        "{count:,} Sätze",
    ),
    too_short="Das ist zu kurz für einen Artikel ({characters:,} Zeichen; mindestens {minimum:,}). Schick"
    " den ganzen Artikel.",
    unsupported_type="Ich kann {kind} nicht lesen. Schick einen Weblink, eine .txt-, .md-, .html-, .pdf-"
    " oder .docx-Datei oder ein Foto.",
    unknown_kind="eine Datei ohne Endung",
    no_article="Dort habe ich keinen Artikeltext gefunden. Schick den Link der Artikelseite selbst oder"
    " füge den Text ein.",
    broken_file="Diese Datei ist leer oder beschädigt. Prüf, ob sie sich öffnen lässt, oder füge den Text"
    " des Artikels ein.",
    encrypted_file="Dieses PDF ist passwortgeschützt. Schick eine ungeschützte Kopie oder füge den Text"
    " des Artikels ein.",
    add_failed="Entschuldigung, ich konnte diesen Artikel nicht hinzufügen. Bitte versuch es gleich noch"
    " einmal.",
    follow_up="Zu „{title}“:",
    read_by_ocr="per OCR aus einem Foto gelesen: mit dem Original abgleichen",
    vote_thanks="Danke: Deine Bewertung ist gespeichert.",
    vote_changed="Deine Bewertung wurde geändert.",
    offer_photo="Den Text auf diesem Foto lesen (OCR) und zur Bibliothek dieses Chats hinzufügen?",
    no_ocr="Fotos und Scans kann ich hier nicht lesen: OCR ist auf diesem Server nicht installiert. Füge"
    " stattdessen den Text ein.",
    scan_too_large="Dieses Bild oder dieser Scan ist zu groß zum Lesen: Schick ein Foto einer einzelnen"
    " Seite oder ein PDF mit höchstens 30 Seiten.",
    watch_usage="Schick /watch on, um jeden Artikellink und jeden weitergeleiteten Beitrag in diesem Chat"
    " zu seiner Bibliothek hinzuzufügen, oder /watch off, um damit aufzuhören.",
    watch_state_on="Dieser Chat wird beobachtet: Seine Artikellinks und weitergeleiteten Beiträge kommen"
    " in seine Bibliothek.",
    watch_state_off="Dieser Chat wird nicht beobachtet.",
    watch_turned_on="Ich beobachte diesen Chat: Jeder Artikellink und jeder weitergeleitete Beitrag kommt"
    " in seine Bibliothek und wird danach mit 👌 markiert.",
    watch_turned_off="Ich beobachte diesen Chat nicht mehr. Bereits hinzugefügte Artikel bleiben.",
    watch_needs_admin="Um diese Gruppe zu beobachten, muss ich einer ihrer Admins sein, damit ich ihre"
    " Beiträge lesen kann. Mach mich zum Admin und schick dann noch einmal /watch on.",
    watch_private="In einem privaten Chat biete ich jeden weitergeleiteten Beitrag und jeden eingefügten"
    " Artikel zum Hinzufügen an: /watch ist für Kanäle und Gruppen.",
    watch_failed="Dieser Beitrag konnte nicht zur Bibliothek hinzugefügt werden: {reason}",
    watch_paused="Beobachtung für eine Stunde pausiert: In der letzten Stunde wurden mehr als {limit}"
    " Artikel gepostet.",
    inline_help="Stell eine Frage zum Artikel",
    inline_no_answer="Nicht im Artikel. Tippen für Hilfe",
    inline_open_chat="Vollständige Antwort in einem Chat öffnen",
    commands=(
        ("ask", "Eine Frage zu den Artikeln stellen"),
        ("add", "Einen Artikel per Link hinzufügen oder auf eine Nachricht oder Datei antworten"),
        ("sources", "Die Artikel dieses Chats und die gemeinsamen auflisten"),
        ("remove", "Einen Artikel dieses Chats entfernen"),
        ("clear", "Alle Artikel dieses Chats entfernen"),
        ("repair", "Die Bibliothek dieses Chats reparieren, falls sie beschädigt ist"),
        ("shared", "Auch die gemeinsamen Artikel durchsuchen (on) oder nicht (off)"),
        ("watch", "Jeden hier geposteten Artikel hinzufügen (on) oder aufhören (off)"),
        ("help", "So benutzt du Sanad"),
        ("start", "Begrüßung und Beispielfragen"),
    ),
)
