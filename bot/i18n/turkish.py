"""The interface in Turkish."""

from __future__ import annotations

from bot.i18n.texts import Texts

TURKISH = Texts(
    language="tr",
    rtl=False,
    welcome="Sanad, haber makaleleriyle ilgili soruları makalelerin kendi cümlelerinden alıntı yaparak"
    " yanıtlar.",
    loaded="Yüklenenler:",
    more_articles="…ve {count:,} makale daha: hepsini /sources listeler.",
    try_examples="Herhangi bir dilde sorun ya da şunlardan birini deneyin:",
    examples=(
        "İddiaları kim reddetti?",
        "Microsoft Exchange'i hangi grup hackledi?",
        "Dominic Raab ne dedi?",
    ),
    help=(
        "Herhangi bir dilde soru gönderin: makalenin kendi cümlelerini birebir alıntılayarak ve makaledeki"
        " yerlerini belirterek yanıtlarım.",
        "Gruplarda: /ask ve ardından sorunuzu yazın, sorunuzu yazıp beni {mention} ile etiketleyin ya da"
        " mesajlarımdan birini yanıtlayın. Bir meslektaşınızın mesajında ne dendiğini sormak için o mesajı"
        " /ask ile yanıtlayın.",
        "Herhangi bir sohbette: {mention} ve sorunuzu yazın, ardından paylaşmak için bir alıntı seçin.",
        "Bir yanıtın altındaki \u201cDaha fazla bağlam\u201d en iyi alıntının çevresindeki cümleleri,"
        " \u201cDiğer eşleşmeler\u201d ise sonraki en iyi cümleleri gösterir.",
        "Kendi makalenizi eklemek için: /add ve bir bağlantı yazın, bir dosya (.txt, .md, .html, .pdf, .docx,"
        " bir fotoğraf) gönderin ya da metni yapıştırıp \u201cKitaplığa ekle\u201d düğmesine basın. Her"
        " sohbetin kendi kitaplığı vardır; gruplarda yalnızca yöneticiler ekleyip kaldırabilir.",
        "Yalnızca bir yanıtın makalesi hakkında soru sormak için o yanıtı sorunuzla yanıtlayın. Her yanıtın"
        " altındaki 👍 veya 👎 ile yanıtın işe yarayıp yaramadığını belirtin: oylar bu sohbetin kitaplığında"
        " kalır.",
        "Basılı sayfaların fotoğrafları ve taranmış PDF'ler OCR ile (Arapça ve İngilizce) okunur ve bir dosya"
        " gibi eklenmek üzere önerilir.",
        "/sources sohbetin makalelerini ve ortak makaleleri listeler; /remove ve /clear sizinkileri kaldırır;"
        " /repair bu sohbetin kitaplığı bozulursa onarır; /shared off yalnızca bu sohbetin kendi"
        " makalelerinde arar; /watch on (yöneticiler) yönetici olduğum bir kanal ya da gruptaki her makale"
        " bağlantısını ve iletilen gönderiyi ekler.",
    ),
    paragraph="paragraf {number}/{total}",
    more_context="Daha fazla bağlam",
    other_matches="Diğer eşleşmeler",
    back="Yanıta dön",
    context_heading="En iyi alıntının çevresi:",
    others_heading="Diğer eşleşmeler:",
    no_answer="Makalede yok: hiçbir cümle \u201c{question}\u201d sorusunu yeterince yakından yanıtlamıyor.",
    no_answer_hint="Başka sözcükler deneyin ya da /sources ile nelerin yüklü olduğuna bakın.",
    doubt_close="Bunu iki cümle yanıtlayabilir: ikisine de bakın.",
    doubt_unsure="Emin değilim: en yakın cümle bu, ama soruyu yanıtlamıyor olabilir.",
    no_letters="Sorunuzu sözcüklerle sorun, örneğin: {example}",
    too_long="Bu soru {length:,} karakter uzunluğunda; lütfen {limit:,} karakterden kısa sorun.",
    not_text="Yalnızca metin olarak yazılmış soruları okuyabilirim. Sorunuzu mesaj olarak gönderin.",
    ask_usage="Sorunuzu /ask komutundan sonra yazın, örneğin: /ask {example} (ya da soruyu soran bir mesajı"
    " /ask ile yanıtlayın).",
    unknown_command="Bu komutu bilmiyorum. Neler yapabildiğimi /help gösterir.",
    button_stale="Bu düğme artık geçerli değil.",
    button_not_yours="Bu düğme soruyu soran kişi içindir.",
    error="Üzgünüm, bir şeyler ters gitti. Lütfen birazdan yeniden deneyin.",
    gave_up="Üzgünüm, bu mesajı işleyemedim. Lütfen daha sonra yeniden gönderin.",
    add_interrupted="{label} eklenirken işlem yarıda kaldı. Lütfen yeniden gönderin.",
    refused="Üzgünüm, bu bot yalnızca kurulduğu sohbetlere yanıt verir.",
    chat_library_damaged="Bu sohbetin kendi makalelerine ulaşılamıyor: kitaplığı bozuk. Bir grup yöneticisi"
    " (özel sohbette ise sohbetin sahibi) /repair gönderebilir; sunucuda: sanad repair --chat {chat_id}",
    repair_usage="Bu sohbetin kitaplığını yalnızca bir grup yöneticisi onarabilir.",
    shared_state_on="Bu sohbet kendi makalelerinin yanı sıra ortak makalelerde de arama yapıyor.",
    shared_state_off="Bu sohbet yalnızca kendi makalelerinde arama yapıyor: ortak makaleler kapalı.",
    shared_usage="Yalnızca bu sohbetin makalelerinde aramak için /shared off, ortak makalelerde de aramak"
    " için /shared on gönderin.",
    shared_turned_on="Bu sohbet bundan sonra ortak makalelerde de arama yapacak.",
    shared_turned_off="Bu sohbet bundan sonra yalnızca kendi makalelerinde arama yapacak. Ortak makaleleri"
    " /shared on geri getirir.",
    repaired="Bu sohbetin kitaplığı onarıldı: {documents:,} makale ({sentences}) hakkında yeniden soru"
    " sorabilirsiniz.",
    repair_not_needed="Bu sohbetin kitaplığı sağlam: onarılacak bir şey yok.",
    repair_failed="Bu sohbetin kitaplığını onaramadım. Sunucuda şunu çalıştırın:"
    " sanad repair --chat {chat_id}",
    chat_sources_heading="Bu sohbetin makaleleri:",
    shared_sources_heading="Ortak makaleler (her sohbet bunlar hakkında soru sorabilir):",
    no_chat_sources="Bu sohbetin henüz kendi makalesi yok: /add ile bir bağlantı ekleyin ya da bir dosya veya"
    " makalenin metnini gönderin.",
    article_details="{sentences}, eklenme: {added}",
    article_byline="yazan: {author}, {published}",
    add_usage="Makalenin bağlantısıyla birlikte /add gönderin ya da makaleyi içeren bir mesajı veya dosyayı"
    " /add ile yanıtlayın.",
    reading="Makale okunuyor…",
    added="Bu sohbetin kitaplığına eklendi: {title} ({sentences}). Artık bu makale hakkında soru"
    " sorabilirsiniz.",
    already_added="Zaten bu sohbetin kitaplığında: {title}.",
    offer_text="Bu bir makaleye benziyor ({characters:,} karakter). Hakkındaki soruları yanıtlayabilmem için"
    " bu sohbetin kitaplığına eklensin mi?",
    offer_parts="Bu, {parts} mesajda gönderilmiş bir makaleye benziyor ({characters:,} karakter). Hakkındaki"
    " soruları yanıtlayabilmem için bu sohbetin kitaplığına tek bir makale olarak eklensin mi?",
    offer_file="{name} bu sohbetin kitaplığına eklensin mi?",
    add_button="Kitaplığa ekle",
    offer_gone="O mesajı artık göremiyorum. Yeniden gönderin ya da mesajı /add ile yanıtlayın.",
    editors_only="Bu grupta yalnızca yöneticiler makale ekleyip kaldırabilir.",
    editors_unknown="Burada yönetici olup olmadığınızı kontrol edemedim. Lütfen birazdan yeniden deneyin.",
    remove_button="Kaldır: {number}",
    remove_usage="Makalenin /sources listesindeki numarasıyla birlikte /remove gönderin, örneğin: /remove 1",
    remove_missing="Bu sohbette {number} numaralı makale yok. Makaleleri /sources listeler.",
    confirm_remove="\u201c{title}\u201d bu sohbetin kitaplığından kaldırılsın mı?",
    confirm_clear="Bu sohbetin kitaplığındaki {count:,} makalenin tümü kaldırılsın mı?",
    remove_yes="Evet, kaldır",
    clear_yes="Evet, tümünü kaldır",
    cancel="İptal",
    removed="\u201c{title}\u201d bu sohbetin kitaplığından kaldırıldı.",
    already_removed="Bu makale zaten kaldırılmış.",
    cleared="Bu sohbetin kitaplığından {count:,} makale kaldırıldı.",
    nothing_to_clear="Bu sohbetin kitaplığı zaten boş.",
    unsupported_link="Yalnızca http ve https bağlantılarını ekleyebilirim. Makalenin web adresini gönderin.",
    blocked_address="Bu bağlantı özel ya da yerel bir ağ adresine gidiyor; böyle adresleri açmıyorum."
    " Herkese açık bir bağlantı gönderin.",
    dead_link="Bu bağlantıyı açamadım: site yanıt vermedi ya da hata döndürdü. Bağlantının tarayıcıda"
    " açıldığından emin olun.",
    dead_link_status="Sayfa {status} koduyla yanıt verdi: {meaning}. Bağlantının tarayıcıda açıldığından emin"
    " olun.",
    dead_link_host="{host} sitesini bulamadım. Bağlantıda yazım hatası olup olmadığını kontrol edin.",
    statuses=(
        (401, "giriş yapmak gerekiyor"),
        (403, "site sayfayı göstermeyi reddediyor"),
        (404, "böyle bir sayfa yok"),
        (410, "sayfa kaldırılmış"),
        (429, "çok fazla istek; daha sonra yeniden deneyin"),
    ),
    status_server="sitede bir sorun var; daha sonra yeniden deneyin",
    slow_page="Sayfanın yüklenmesi çok uzun sürdü. Daha sonra yeniden deneyin ya da makalenin metnini"
    " yapıştırın.",
    redirect_loop="Bu bağlantı çok fazla yönlendirme yapıyor. Tarayıcıda açın ve sonunda açılan adresi"
    " gönderin.",
    too_large="Bu çok büyük: sınır {limit}. Makaleyi tek başına gönderin ya da metnini yapıştırın.",
    sentence_count=("{count:,} cümle", "{count:,} cümle"),
    too_short="Bu, bir makale için çok kısa ({characters:,} karakter; en az {minimum:,}). Makalenin tamamını"
    " gönderin.",
    unsupported_type="Bu dosya türünü okuyamıyorum: {kind}. Bir web bağlantısı, .txt, .md, .html, .pdf ya da"
    " .docx dosyası veya bir fotoğraf gönderin.",
    unknown_kind="uzantısız dosya",
    no_article="Orada makale metni bulamadım. Doğrudan makale sayfasının bağlantısını gönderin ya da metnini"
    " yapıştırın.",
    broken_file="Bu dosya boş ya da bozuk. Açılıp açılmadığını kontrol edin ya da makalenin metnini"
    " yapıştırın.",
    encrypted_file="Bu PDF parolayla korunuyor. Korumasız bir kopyasını gönderin ya da makalenin metnini"
    " yapıştırın.",
    add_failed="Üzgünüm, bu makaleyi ekleyemedim. Lütfen birazdan yeniden deneyin.",
    follow_up="\u201c{title}\u201d hakkında:",
    read_by_ocr="fotoğraftan OCR ile okundu: aslıyla karşılaştırın",
    vote_thanks="Teşekkürler: oyunuz kaydedildi.",
    vote_changed="Oyunuz değiştirildi.",
    offer_photo="Bu fotoğraftaki metin (OCR ile) okunup bu sohbetin kitaplığına eklensin mi?",
    no_ocr="Burada fotoğrafları ya da taramaları okuyamıyorum: bu sunucuda OCR kurulu değil. Bunun yerine"
    " metni yapıştırın.",
    scan_too_large="Bu görüntü ya da tarama okunamayacak kadar büyük: tek bir sayfanın fotoğrafını ya da en"
    " fazla 30 sayfalık bir PDF gönderin.",
    watch_usage="Bu sohbetteki her makale bağlantısını ve iletilen gönderiyi kitaplığa eklemek için"
    " /watch on, durdurmak için /watch off gönderin.",
    watch_state_on="Bu sohbet izleniyor: makale bağlantıları ve iletilen gönderiler kitaplığına ekleniyor.",
    watch_state_off="Bu sohbet izlenmiyor.",
    watch_turned_on="Bu sohbet izleniyor: her makale bağlantısı ve iletilen gönderi kitaplığa eklenir ve"
    " eklendiğinde 👌 ile işaretlenir.",
    watch_turned_off="Bu sohbetin izlenmesi durduruldu. Önceden eklenen makaleler kalır.",
    watch_needs_admin="Bu grubu izleyebilmem için gönderilerini okuyabilmeliyim, bu yüzden yöneticilerinden"
    " biri olmam gerekiyor. Beni yönetici yapın, ardından /watch on komutunu yeniden gönderin.",
    watch_private="Özel sohbette iletilen her gönderiyi ve yapıştırılan her makaleyi eklemeniz için öneririm:"
    " /watch kanallar ve gruplar içindir.",
    watch_failed="Bu gönderi kitaplığa eklenemedi: {reason}",
    watch_paused="İzleme bir saatliğine duraklatıldı: son bir saatte {limit} makaleden fazlası paylaşıldı.",
    inline_help="Makaleyle ilgili bir soru yazın",
    inline_no_answer="Makalede yok. Yardım için dokunun",
    inline_open_chat="Yanıtın tamamını bir sohbette açın",
    commands=(
        ("ask", "Makaleler hakkında soru sorun"),
        ("add", "Bağlantıyla makale ekleyin ya da bir mesajı veya dosyayı yanıtlayın"),
        ("sources", "Bu sohbetin makalelerini ve ortak makaleleri listeleyin"),
        ("remove", "Bu sohbetin makalelerinden birini kaldırın"),
        ("clear", "Bu sohbetin tüm makalelerini kaldırın"),
        ("repair", "Bozulduysa bu sohbetin kitaplığını onarın"),
        ("shared", "Ortak makalelerde de arayın (on) ya da aramayın (off)"),
        ("watch", "Buraya paylaşılan her makaleyi ekleyin (on) ya da durdurun (off)"),
        ("help", "Sanad nasıl kullanılır"),
        ("start", "Karşılama ve örnek sorular"),
    ),
)
