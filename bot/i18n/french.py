"""The interface in French."""

from __future__ import annotations

from bot.i18n.texts import Texts

FRENCH = Texts(
    language="fr",
    rtl=False,
    welcome="Sanad répond aux questions sur des articles de presse en citant leurs propres phrases.",
    loaded="Articles chargés :",
    more_articles="…et {count:,} autres : /sources les affiche tous.",
    try_examples="Posez votre question dans n'importe quelle langue, ou essayez l'une de celles-ci :",
    examples=(
        "Qui a démenti les accusations ?",
        "Quel groupe a piraté Microsoft Exchange ?",
        "Qu'a dit Dominic Raab ?",
    ),
    help=(
        "Envoyez une question dans n'importe quelle langue : je réponds avec les phrases mêmes de l'article,"
        " citées mot pour mot, en indiquant où elles se trouvent.",
        "Dans les groupes : /ask suivi de votre question, mentionnez {mention} avec votre question, ou"
        " répondez à l'un de mes messages. Répondez /ask au message d'un collègue pour poser sa question.",
        "Dans n'importe quelle discussion : tapez {mention} et votre question, puis choisissez une citation"
        " à partager.",
        "Sous une réponse, « Plus de contexte » affiche les phrases autour de la meilleure citation et"
        " « Autres résultats » les phrases suivantes les plus pertinentes.",
        "Pour ajouter votre propre article : /add et un lien, ou envoyez un fichier (.txt, .md, .html, .pdf,"
        " .docx, une photo) ou collez le texte et appuyez sur « Ajouter à la bibliothèque ». Chaque"
        " discussion a sa propre bibliothèque ; dans les groupes, seuls les administrateurs ajoutent et"
        " suppriment.",
        "Répondez à l'une de mes réponses par une question pour interroger uniquement l'article de cette"
        " réponse. Sous chaque réponse, 👍 ou 👎 indique si elle a répondu : les votes restent dans la"
        " bibliothèque de cette discussion.",
        "Les photos de pages imprimées et les PDF numérisés sont lus par OCR (arabe et anglais) et proposés"
        " à l'ajout comme un fichier.",
        "/sources liste les articles de la discussion et les articles partagés ; /remove et /clear suppriment"
        " les vôtres ; /repair répare la bibliothèque de cette discussion si jamais elle est endommagée ;"
        " /shared off ne cherche que dans les articles propres à cette discussion ; /watch on"
        " (administrateurs) ajoute chaque lien d'article et chaque message transféré dans un canal ou un"
        " groupe dont je suis administrateur.",
    ),
    paragraph="paragraphe {number} sur {total}",
    more_context="Plus de contexte",
    other_matches="Autres résultats",
    back="Retour à la réponse",
    context_heading="Autour de la meilleure citation :",
    others_heading="Autres résultats :",
    no_answer="Absent de l'article : aucune phrase ne répond d'assez près à « {question} ».",
    no_answer_hint="Essayez d'autres mots, ou voyez ce qui est chargé avec /sources.",
    doubt_close="Deux phrases pourraient y répondre : vérifiez les deux.",
    doubt_unsure="Pas sûr : c'est la phrase la plus proche, mais elle ne répond peut-être pas à la question.",
    no_letters="Posez une question avec des mots, par exemple : {example}",
    too_long="Cette question fait {length:,} caractères ; merci de la poser en moins de {limit:,}.",
    not_text="Je ne lis que les questions écrites. Envoyez votre question sous forme de message.",
    ask_usage="Écrivez votre question après /ask, par exemple : /ask {example} (ou répondez /ask à un message"
    " qui la pose).",
    unknown_command="Je ne connais pas cette commande. /help montre ce que je sais faire.",
    button_stale="Ce bouton n'est plus valable.",
    button_not_yours="Ce bouton est réservé à la personne qui a posé la question.",
    error="Désolé, un problème est survenu. Réessayez dans un instant.",
    gave_up="Désolé, je n'ai pas pu traiter ce message. Renvoyez-le plus tard.",
    add_interrupted="L'ajout de {label} a été interrompu. Renvoyez-le, s'il vous plaît.",
    refused="Désolé, ce bot ne répond qu'aux discussions pour lesquelles il a été configuré.",
    chat_library_damaged="Les articles propres à cette discussion sont indisponibles : sa bibliothèque est"
    " endommagée. Un administrateur du groupe (ou, dans une discussion privée, son propriétaire) peut"
    " envoyer /repair ; sur le serveur : sanad repair --chat {chat_id}",
    repair_usage="Seul un administrateur du groupe peut réparer la bibliothèque de cette discussion.",
    shared_state_on="Cette discussion cherche dans les articles partagés en plus des siens.",
    shared_state_off="Cette discussion ne cherche que dans ses propres articles : les articles partagés sont"
    " désactivés.",
    shared_usage="Envoyez /shared off pour ne chercher que dans les articles de cette discussion, ou"
    " /shared on pour chercher aussi dans les articles partagés.",
    shared_turned_on="Désormais, cette discussion cherche aussi dans les articles partagés.",
    shared_turned_off="Désormais, cette discussion ne cherche que dans ses propres articles. /shared on"
    " réactive les articles partagés.",
    repaired="Bibliothèque de cette discussion réparée : vous pouvez de nouveau interroger {documents:,}"
    " articles ({sentences}).",
    repair_not_needed="La bibliothèque de cette discussion est en bon état : rien à réparer.",
    repair_failed="Je n'ai pas pu réparer la bibliothèque de cette discussion. Sur le serveur, lancez :"
    " sanad repair --chat {chat_id}",
    chat_sources_heading="Articles de cette discussion :",
    shared_sources_heading="Articles partagés (toutes les discussions peuvent les interroger) :",
    no_chat_sources="Cette discussion n'a pas encore d'articles à elle : /add et un lien, ou envoyez un"
    " fichier ou le texte de l'article.",
    article_details="{sentences}, ajouté le {added}",
    article_byline="par {author}, {published}",
    add_usage="Envoyez /add avec le lien de l'article, ou répondez /add à un message ou un fichier qui"
    " contient l'article.",
    reading="Lecture de l'article…",
    added="Ajouté à la bibliothèque de cette discussion : {title} ({sentences}). Posez-moi vos questions.",
    already_added="Déjà dans la bibliothèque de cette discussion : {title}.",
    offer_text="Cela ressemble à un article ({characters:,} caractères). L'ajouter à la bibliothèque de cette"
    " discussion pour que je puisse répondre à des questions dessus ?",
    offer_parts="Cela ressemble à un article envoyé en {parts} messages ({characters:,} caractères)."
    " L'ajouter à la bibliothèque de cette discussion comme un seul article pour que je puisse répondre à"
    " des questions dessus ?",
    offer_file="Ajouter {name} à la bibliothèque de cette discussion ?",
    add_button="Ajouter à la bibliothèque",
    offer_gone="Je ne vois plus ce message. Renvoyez-le, ou répondez-y avec /add.",
    editors_only="Dans ce groupe, seuls les administrateurs peuvent ajouter ou supprimer des articles.",
    editors_unknown="Je n'ai pas pu vérifier si vous êtes administrateur ici. Réessayez dans un instant.",
    remove_button="Supprimer {number}",
    remove_usage="Envoyez /remove avec le numéro de l'article indiqué par /sources, par exemple : /remove 1",
    remove_missing="Cette discussion n'a pas d'article numéro {number}. /sources les liste.",
    confirm_remove="Supprimer « {title} » de la bibliothèque de cette discussion ?",
    confirm_clear="Supprimer les {count:,} articles de la bibliothèque de cette discussion ?",
    remove_yes="Oui, le supprimer",
    clear_yes="Oui, tout supprimer",
    cancel="Annuler",
    removed="« {title} » a été supprimé de la bibliothèque de cette discussion.",
    already_removed="Cet article a déjà été supprimé.",
    cleared="{count:,} articles supprimés de la bibliothèque de cette discussion.",
    nothing_to_clear="La bibliothèque de cette discussion est déjà vide.",
    unsupported_link="Je ne peux ajouter que des liens http et https. Envoyez l'adresse web de l'article.",
    blocked_address="Ce lien pointe vers une adresse de réseau privé ou local, que je n'ouvre pas."
    " Envoyez un lien public.",
    dead_link="Je n'ai pas pu ouvrir ce lien : le site n'a pas répondu, ou a renvoyé une erreur. Vérifiez"
    " qu'il s'ouvre dans un navigateur.",
    dead_link_status="Cette page a répondu {status} : {meaning}. Vérifiez que le lien s'ouvre dans un"
    " navigateur.",
    dead_link_host="Je ne trouve pas le site {host}. Vérifiez que le lien ne contient pas de faute de"
    " frappe.",
    statuses=(
        (401, "il faut se connecter"),
        (403, "le site refuse de l'afficher"),
        (404, "page introuvable"),
        (410, "la page a été supprimée"),
        (429, "trop de requêtes ; réessayez plus tard"),
    ),
    status_server="le site a un problème ; réessayez plus tard",
    slow_page="Cette page a mis trop de temps à charger. Réessayez plus tard, ou collez le texte de"
    " l'article.",
    redirect_loop="Ce lien redirige trop de fois. Ouvrez-le dans un navigateur et envoyez l'adresse"
    " d'arrivée.",
    too_large="C'est trop volumineux : la limite est de {limit}. Envoyez l'article seul, ou collez son"
    " texte.",
    sentence_count=("{count:,} phrase", "{count:,} phrases"),
    too_short="C'est trop court pour un article ({characters:,} caractères ; au moins {minimum:,}). Envoyez"
    " l'article en entier.",
    unsupported_type="Je ne peux pas lire {kind}. Envoyez un lien web, un fichier .txt, .md, .html, .pdf ou"
    " .docx, ou une photo.",
    unknown_kind="un fichier sans extension",
    no_article="Je n'y ai trouvé aucun texte d'article. Envoyez le lien de la page de l'article elle-même, ou"
    " collez son texte.",
    broken_file="Ce fichier est vide ou endommagé. Vérifiez qu'il s'ouvre, ou collez le texte de l'article.",
    encrypted_file="Ce PDF est protégé par un mot de passe. Envoyez une copie non protégée, ou collez le"
    " texte de l'article.",
    add_failed="Désolé, je n'ai pas pu ajouter cet article. Réessayez dans un instant.",
    follow_up="À propos de « {title} » :",
    read_by_ocr="lu sur une photo par OCR : à vérifier sur l'original",
    vote_thanks="Merci : votre vote est enregistré.",
    vote_changed="Votre vote a été modifié.",
    offer_photo="Lire le texte de cette photo (OCR) et l'ajouter à la bibliothèque de cette discussion ?",
    no_ocr="Je ne peux pas lire de photos ni de documents numérisés ici : l'OCR n'est pas installé sur ce"
    " serveur. Collez plutôt le texte.",
    scan_too_large="Cette image ou ce document numérisé est trop volumineux pour être lu : envoyez la photo"
    " d'une seule page, ou un PDF de 30 pages au plus.",
    watch_usage="Envoyez /watch on pour ajouter à la bibliothèque de cette discussion chaque lien d'article"
    " et chaque message transféré, ou /watch off pour arrêter.",
    watch_state_on="Cette discussion est surveillée : ses liens d'articles et ses messages transférés sont"
    " ajoutés à sa bibliothèque.",
    watch_state_off="Cette discussion n'est pas surveillée.",
    watch_turned_on="Surveillance activée : chaque lien d'article et chaque message transféré de cette"
    " discussion est ajouté à sa bibliothèque, puis marqué 👌.",
    watch_turned_off="Surveillance de cette discussion arrêtée. Les articles déjà ajoutés restent.",
    watch_needs_admin="Pour surveiller ce groupe, je dois en être administrateur afin de lire ses messages."
    " Nommez-moi administrateur, puis renvoyez /watch on.",
    watch_private="Dans une discussion privée, je propose d'ajouter chaque message transféré et chaque"
    " article collé : /watch sert aux canaux et aux groupes.",
    watch_failed="Impossible d'ajouter ce message à la bibliothèque : {reason}",
    watch_paused="Surveillance suspendue pour une heure : plus de {limit} articles ont été publiés au cours"
    " de la dernière heure.",
    inline_help="Tapez une question sur l'article",
    inline_no_answer="Absent de l'article. Appuyez pour obtenir de l'aide",
    inline_open_chat="Ouvrir la réponse complète dans une discussion",
    commands=(
        ("ask", "Poser une question sur les articles"),
        ("add", "Ajouter un article par lien, ou en réponse à un message ou un fichier"),
        ("sources", "Lister les articles de cette discussion et les articles partagés"),
        ("remove", "Supprimer un article de cette discussion"),
        ("clear", "Supprimer tous les articles de cette discussion"),
        ("repair", "Réparer la bibliothèque de cette discussion si elle est endommagée"),
        ("shared", "Chercher aussi dans les articles partagés (on) ou non (off)"),
        ("watch", "Ajouter chaque article publié ici (on), ou arrêter (off)"),
        ("help", "Comment utiliser Sanad"),
        ("start", "Accueil et exemples de questions"),
    ),
)
