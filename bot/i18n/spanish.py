"""The interface in Spanish."""

from __future__ import annotations

from bot.i18n.texts import Texts

SPANISH = Texts(
    language="es",
    rtl=False,
    welcome="Sanad responde preguntas sobre artículos de noticias citando frases de los propios artículos.",
    loaded="Artículos cargados:",
    more_articles="…y {count:,} más: /sources los muestra todos.",
    try_examples="Pregunta en cualquier idioma o prueba con una de estas:",
    examples=(
        "¿Quién negó las acusaciones?",
        "¿Qué grupo hackeó Microsoft Exchange?",
        "¿Qué dijo Dominic Raab?",
    ),
    help=(
        "Envía una pregunta en cualquier idioma: respondo con las frases del propio artículo, citadas al pie"
        " de la letra, y con el lugar que ocupan en él.",
        "En grupos: escribe /ask y tu pregunta, menciona a {mention} con tu pregunta o responde a uno de mis"
        " mensajes. Responde /ask al mensaje de un colega para preguntar por lo que dice.",
        "En cualquier chat: escribe {mention} y tu pregunta, y elige una cita para compartirla.",
        "Bajo cada respuesta, “Más contexto” muestra las frases que rodean la mejor cita y"
        " “Otras coincidencias”, las siguientes mejores frases.",
        "Para añadir tu propio artículo: /add y un enlace, o envía un archivo (.txt, .md, .html, .pdf, .docx,"
        " una foto) o pega el texto y pulsa “Añadir a la biblioteca”. Cada chat tiene su propia biblioteca;"
        " en los grupos solo los administradores añaden y eliminan.",
        "Responde a una de mis respuestas con una pregunta para preguntar solo por el artículo de esa"
        " respuesta. Bajo cada respuesta, 👍 o 👎 indica si respondió a la pregunta: los votos se guardan en"
        " la biblioteca de este chat.",
        "Las fotos de páginas impresas y los PDF escaneados se leen con OCR (en árabe e inglés) y se ofrecen"
        " para añadir como cualquier archivo.",
        "/sources muestra los artículos del chat y los compartidos; /remove y /clear quitan los tuyos;"
        " /repair arregla la biblioteca de este chat si alguna vez se daña; /shared off busca solo en los"
        " artículos propios de este chat; /watch on (administradores) añade cada enlace a un artículo y cada"
        " mensaje reenviado en un canal o grupo donde soy administrador.",
    ),
    paragraph="párrafo {number} de {total}",
    more_context="Más contexto",
    other_matches="Otras coincidencias",
    back="Volver a la respuesta",
    context_heading="En torno a la mejor cita:",
    others_heading="Otras coincidencias:",
    no_answer="No está en el artículo: ninguna frase responde a “{question}” con suficiente precisión.",
    no_answer_hint="Prueba con otras palabras o mira qué hay cargado con /sources.",
    doubt_close="Dos frases podrían responder a esto: revisa ambas.",
    doubt_unsure="No estoy seguro: esta es la frase más cercana, pero puede que no responda a la pregunta.",
    no_letters="Haz la pregunta con palabras, por ejemplo: {example}",
    too_long="Esa pregunta tiene {length:,} caracteres; hazla en menos de {limit:,}, por favor.",
    not_text="Solo puedo leer preguntas escritas como texto. Envía tu pregunta en un mensaje.",
    ask_usage="Escribe tu pregunta después de /ask, por ejemplo: /ask {example} (o responde /ask a un mensaje"
    " que la plantee).",
    unknown_command="No conozco ese comando. /help muestra lo que puedo hacer.",
    button_stale="Este botón ya no es válido.",
    button_not_yours="Este botón es para quien hizo la pregunta.",
    error="Lo siento, algo ha fallado. Inténtalo de nuevo en un momento.",
    gave_up="Lo siento, no he podido procesar este mensaje. Vuelve a enviarlo más tarde.",
    add_interrupted="Se interrumpió la incorporación de {label}. Vuelve a enviarlo, por favor.",
    refused="Lo siento, este bot solo responde en los chats para los que se configuró.",
    chat_library_damaged="Los artículos propios de este chat no están disponibles: su biblioteca está dañada."
    " Un administrador del grupo (o, en un chat privado, su propietario) puede enviar /repair; en el"
    " servidor: sanad repair --chat {chat_id}",
    repair_usage="Solo un administrador del grupo puede reparar la biblioteca de este chat.",
    shared_state_on="Este chat busca en los artículos compartidos además de en los suyos.",
    shared_state_off="Este chat solo busca en sus propios artículos: los compartidos están desactivados.",
    shared_usage="Envía /shared off para buscar solo en los artículos de este chat, o /shared on para buscar"
    " también en los compartidos.",
    shared_turned_on="A partir de ahora, este chat también busca en los artículos compartidos.",
    shared_turned_off="A partir de ahora, este chat solo busca en sus propios artículos. /shared on vuelve a"
    " activar los compartidos.",
    repaired="Biblioteca de este chat reparada: ya se puede volver a preguntar por {documents:,} artículos"
    " ({sentences}).",
    repair_not_needed="La biblioteca de este chat está bien: no hay nada que reparar.",
    repair_failed="No he podido reparar la biblioteca de este chat. En el servidor, ejecuta:"
    " sanad repair --chat {chat_id}",
    chat_sources_heading="Artículos de este chat:",
    shared_sources_heading="Artículos compartidos (cualquier chat puede preguntar por ellos):",
    no_chat_sources="Este chat aún no tiene artículos propios: usa /add con un enlace, o envía un archivo o"
    " el texto del artículo.",
    article_details="{sentences}, añadido el {added}",
    article_byline="por {author}, {published}",
    add_usage="Envía /add con el enlace del artículo, o responde /add a un mensaje o archivo que contenga el"
    " artículo.",
    reading="Leyendo el artículo…",
    added="Añadido a la biblioteca de este chat: {title} ({sentences}). Pregúntame lo que quieras sobre él.",
    already_added="Ya está en la biblioteca de este chat: {title}.",
    offer_text="Esto parece un artículo ({characters:,} caracteres). ¿Lo añado a la biblioteca de este chat"
    " para poder responder preguntas sobre él?",
    offer_parts="Esto parece un artículo enviado en {parts} mensajes ({characters:,} caracteres). ¿Lo añado a"
    " la biblioteca de este chat como un solo artículo para poder responder preguntas sobre él?",
    offer_file="¿Añado {name} a la biblioteca de este chat?",
    add_button="Añadir a la biblioteca",
    offer_gone="Ya no puedo ver ese mensaje. Vuelve a enviarlo o respóndele con /add.",
    editors_only="En este grupo solo los administradores pueden añadir o eliminar artículos.",
    editors_unknown="No he podido comprobar si eres administrador aquí. Inténtalo de nuevo en un momento.",
    remove_button="Eliminar {number}",
    remove_usage="Envía /remove con el número del artículo en /sources, por ejemplo: /remove 1",
    remove_missing="Este chat no tiene ningún artículo con el número {number}. /sources los muestra.",
    confirm_remove="¿Eliminar “{title}” de la biblioteca de este chat?",
    confirm_clear="¿Eliminar todos los artículos ({count:,}) de la biblioteca de este chat?",
    remove_yes="Sí, eliminarlo",
    clear_yes="Sí, eliminar todos",
    cancel="Cancelar",
    removed="Se eliminó “{title}” de la biblioteca de este chat.",
    already_removed="Ese artículo ya se había eliminado.",
    cleared="Artículos eliminados de la biblioteca de este chat: {count:,}.",
    nothing_to_clear="La biblioteca de este chat ya está vacía.",
    unsupported_link="Solo puedo añadir enlaces http y https. Envía la dirección web del artículo.",
    blocked_address="Ese enlace apunta a una dirección de red privada o local, y esas no las abro."
    " Envía un enlace público.",
    dead_link="No he podido abrir ese enlace: el sitio no respondió o respondió con un error. Comprueba que"
    " se abre en un navegador.",
    dead_link_status="Esa página respondió con el código {status}: {meaning}. Comprueba que el enlace se abre"
    " en un navegador.",
    dead_link_host="No encuentro el sitio {host}. Revisa si el enlace tiene alguna errata.",
    statuses=(
        (401, "hay que iniciar sesión"),
        (403, "el sitio se niega a mostrarla"),
        (404, "la página no existe"),
        (410, "la página se ha eliminado"),
        (429, "demasiadas solicitudes; inténtalo más tarde"),
    ),
    status_server="el sitio tiene un problema; inténtalo más tarde",
    slow_page="Esa página tardó demasiado en cargar. Inténtalo más tarde o pega el texto del artículo.",
    redirect_loop="Ese enlace redirige demasiadas veces. Ábrelo en un navegador y envía la dirección a la que"
    " llegues al final.",
    too_large="Es demasiado grande: el límite es {limit}. Envía solo el artículo o pega su texto.",
    sentence_count=("{count:,} frase", "{count:,} frases"),
    too_short="Es demasiado corto para ser un artículo ({characters:,} caracteres; mínimo {minimum:,}). Envía"
    " el artículo completo.",
    unsupported_type="No puedo leer {kind}. Envía un enlace web, un archivo .txt, .md, .html, .pdf o .docx,"
    " o una foto.",
    unknown_kind="un archivo sin extensión",
    no_article="No he encontrado el texto de ningún artículo ahí. Envía el enlace de la propia página del"
    " artículo o pega su texto.",
    broken_file="Ese archivo está vacío o dañado. Comprueba que se abre o pega el texto del artículo.",
    encrypted_file="Ese PDF está protegido con contraseña. Envía una copia sin proteger o pega el texto del"
    " artículo.",
    add_failed="Lo siento, no he podido añadir ese artículo. Inténtalo de nuevo en un momento.",
    follow_up="Sobre “{title}”:",
    read_by_ocr="leído de una foto con OCR: compruébalo con el original",
    vote_thanks="Gracias: tu voto queda registrado.",
    vote_changed="Tu voto se ha actualizado.",
    offer_photo="¿Leo el texto de esta foto (OCR) y lo añado a la biblioteca de este chat?",
    no_ocr="Aquí no puedo leer fotos ni escaneos: el OCR no está instalado en este servidor. Pega el texto"
    " directamente.",
    scan_too_large="Esa imagen o escaneo es demasiado grande para leerlo: envía la foto de una sola página o"
    " un PDF de 30 páginas como máximo.",
    watch_usage="Envía /watch on para añadir a la biblioteca de este chat cada enlace a un artículo y cada"
    " mensaje reenviado que llegue aquí, o /watch off para dejar de hacerlo.",
    watch_state_on="Este chat está vigilado: sus enlaces a artículos y mensajes reenviados se añaden a su"
    " biblioteca.",
    watch_state_off="Este chat no está vigilado.",
    watch_turned_on="Vigilando este chat: cada enlace a un artículo y cada mensaje reenviado se añade a su"
    " biblioteca y se marca con 👌 en cuanto está añadido.",
    watch_turned_off="He dejado de vigilar este chat. Los artículos ya añadidos se quedan.",
    watch_needs_admin="Para vigilar este grupo tengo que ser uno de sus administradores y así poder leer sus"
    " mensajes. Hazme administrador y vuelve a enviar /watch on.",
    watch_private="En un chat privado ofrezco añadir cada mensaje reenviado y cada artículo pegado: /watch es"
    " para canales y grupos.",
    watch_failed="No se pudo añadir este mensaje a la biblioteca: {reason}",
    watch_paused="Vigilancia en pausa durante una hora: se publicaron más de {limit} artículos en la última"
    " hora.",
    inline_help="Escribe una pregunta sobre el artículo",
    inline_no_answer="No está en el artículo. Toca para ver la ayuda",
    inline_open_chat="Abrir la respuesta completa en un chat",
    commands=(
        ("ask", "Haz una pregunta sobre los artículos"),
        ("add", "Añade un artículo con un enlace o respondiendo a un mensaje o archivo"),
        ("sources", "Muestra los artículos de este chat y los compartidos"),
        ("remove", "Elimina uno de los artículos de este chat"),
        ("clear", "Elimina todos los artículos de este chat"),
        ("repair", "Repara la biblioteca de este chat si está dañada"),
        ("shared", "Busca también en los artículos compartidos (on) o no (off)"),
        ("watch", "Añade cada artículo publicado aquí (on) o deja de hacerlo (off)"),
        ("help", "Cómo usar Sanad"),
        ("start", "Bienvenida y preguntas de ejemplo"),
    ),
)
