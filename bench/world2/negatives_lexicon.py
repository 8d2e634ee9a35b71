"""Coordinated but not smear: what spam bots, brands, news aggregators, fans, solidarity and charity campaigns say.
Keyed by campaign theme, then language. Shared slots are in SLOTS."""

from __future__ import annotations

SLOTS = {
    "coin": ["BTC", "ETH", "SOL", "TON", "$PEPE", "$MOLD", "NOTcoin", "$DOGE", "$WIF", "USDT"],
    "gain": ["1,200", "2,450", "3,800", "870", "5,000", "12,000", "640"],
    "pct": ["15", "20", "25", "30", "40", "50", "70"],
    "n": ["100", "500", "1000", "300", "50"],
    "bonus": ["500", "1000", "2000", "5000", "300"],
    "odds": ["1.85", "2.10", "2.45", "3.20", "1.67"],
    "kg": ["5", "8", "10", "12", "15"],
    "days": ["7", "10", "14", "21"],
    "phone": ["69123456", "79876543", "68555123", "60777888", "78112233"],
    "club_a": ["FC Olimp", "Dacia Nouă", "Speranța Nord", "Codrii Lozova", "Real Sireți"],
    "club_b": ["Barcelona", "Real Madrid", "Arsenal", "Inter", "Bayern", "PSG", "Liverpool"],
    "bookie": ["BetMaxx", "Lucky7.bet", "GoldSpin", "Royal Bet MD", "Pariu365"],
    "pill": ["ArtroFlex", "SlimMax", "VigoPlus", "CardioNorm", "DiabeNorm"],
    "blood": ["0(I) Rh-", "A(II) Rh+", "B(III) Rh-", "AB(IV) Rh+", "0(I) Rh+"],
    "village": ["Hîrtopul Mare", "Cotiujeni", "Pîrlița", "Sadova", "Bardar", "Cișmichioi"],
    "code": ["TOAMNA24", "NORD20", "START10", "VIP15", "MD2024", "WOW30"],
    "price": ["99", "129", "149", "179", "59"],
    "score": ["2:1", "1:0", "3:1", "2:0", "3:2"],
}

# Each theme: language -> templates. {link} is filled by the campaign with its own landing page.
SPAM = {
    "crypto": {
        "en": ["[🚀|💎|📈] {coin} is about to [explode|moon|10x]! [Join|Get in] [before it's too late|now] 👉 {link}",
               "I made ${gain} in [one week|3 days] with {coin} signals. [DM me|Check my bio|Link in bio] 📈",
               "Free {coin} airdrop for the first {n} wallets! Claim: {link}",
               "Stop working 9-5. My mentor showed me how to earn ${gain}/day with {coin}. {link}",
               "🔥 {coin} presale LIVE 🔥 Bonus {pct}% for early buyers → {link}",
               "Congratulations! Your wallet was selected for the {coin} giveaway. Verify here: {link}",
               "Whales are buying {coin} right now 🐋 Don't miss the next leg up. {link}"],
        "ru": ["[🚀|💎] {coin} скоро [взлетит|улетит на луну|сделает х10]! Заходи, пока не поздно 👉 {link}",
               "Заработал ${gain} за [неделю|3 дня] на сигналах по {coin}. Пиши в ЛС 📈",
               "Бесплатный аирдроп {coin} для первых {n} кошельков! Забирай: {link}",
               "Хватит работать на дядю. Наставник показал, как делать ${gain} в день на крипте. {link}",
               "Пассивный доход от {pct}% в месяц, без риска! Подробности: {link}",
               "Киты скупают {coin} прямо сейчас 🐋 Успей зайти: {link}"],
        "ro": ["[🚀|💎] {coin} e pe cale să explodeze! Intră acum 👉 {link}",
               "Am câștigat ${gain} într-o săptămână cu semnalele {coin}. Scrie-mi în privat 📈",
               "Venit pasiv de {pct}% pe lună, fără risc. Detalii: {link}",
               "Airdrop gratuit {coin} pentru primele {n} portofele: {link}"],
    },
    "reply_spam": {
        "en": ["Great post! 🔥 Btw {coin} is pumping, check my profile", "Nice! I earned ${gain} this week, link in bio 👆",
               "So true 💯 If anyone wants passive income, DM me", "👏👏 Also, {coin} signals free for {n} people: {link}"],
        "ru": ["Классный пост! Кстати, кто хочет заработать — пишите 💸", "👍 Ищу партнёров, доход от $500 в неделю, ЛС",
               "Согласен! А кто хочет пассивный доход — ссылка в профиле", "🔥🔥 Бесплатные сигналы {coin}: {link}"],
        "ro": ["Super! Cine vrea venit suplimentar, scrieți-mi 💸", "👍 Caut parteneri, venit de la 500$ pe săptămână",
               "Așa e! Și cine vrea bani din crypto, link în profil"],
    },
    "betting": {
        "ro": ["Bonus {bonus} lei la prima depunere! 🎰 Pariază pe {club_a} – {club_b} la {bookie}: {link}",
               "Cota zilei 🔥 {club_b}, {odds}! Înregistrează-te la {bookie} și primești {n} rotiri gratuite 👉 {link}",
               "Câștigă din pariuri în fiecare zi — grupul nostru VIP are 92% reușite: {link}",
               "Biletul zilei ⚽ {club_b} + {club_a}, cota totală {odds}. Intră pe {bookie}!",
               "{n} de rotiri gratuite 🎰 la {bookie}, doar azi! {link}"],
        "ru": ["Ставка дня 🔥 {club_b}, кэф {odds}! Бонус {bonus} лей новым игрокам в {bookie} 👉 {link}",
               "Прогнозы на футбол с проходимостью 92% — вступай в наш канал {link}",
               "Экспресс дня ⚽ {club_b} + {club_a}, общий кэф {odds}. Заходи в {bookie}!",
               "{n} фриспинов 🎰 в {bookie} только сегодня! {link}",
               "Договорной матч, 100% проход. Пиши в ЛС, цена {bonus} лей."],
    },
    "pharmacy": {
        "ro": ["[Slăbește|Minus] {kg} kg în {days} zile fără diete! 💊 Comandă: {link}",
               "Pastile pentru potență fără rețetă, livrare discretă în toată Moldova 📦 {link}",
               "Dureri de articulații? {pill} ajută din prima zi! Reducere {pct}% azi: {link}",
               "Tensiunea sare? {pill} — remediu natural, {pct}% reducere. Comanda la {link}"],
        "ru": ["Похудей на {kg} кг за {days} дней без диет! 💊 Заказ: {link}",
               "Таблетки для потенции без рецепта, анонимная доставка по всей Молдове 📦 {link}",
               "Болят суставы? {pill} помогает с первого дня! Скидка {pct}%: {link}",
               "Давление скачет? {pill} — натуральное средство, скидка {pct}%. Заказ: {link}"],
    },
    "loans_jobs": {
        "ro": ["Credit rapid fără gaj și fără istoric 💰 până la {bonus}0 lei în 15 minute: {link}",
               "Lucru în Germania 🇩🇪 la depozit, salariu 2500€, cazare gratuită. Scrieți în privat!",
               "Căutăm șoferi pentru Olanda, 3000€ net. Plecare săptămâna viitoare. Viber: +373{phone}",
               "Ai datorii? Le închidem azi. Sună: 0{phone}"],
        "ru": ["Кредит без справок и поручителей до {bonus}0 лей за 15 минут 💰 {link}",
               "Работа в Польше на складе, от 1800€, жильё бесплатно, без знания языка. Пишите в ЛС",
               "Требуются водители в Нидерланды, 3000€ на руки. Выезд на следующей неделе. Viber: +373{phone}",
               "Закроем ваши долги сегодня. Звоните: 0{phone}"],
    },
}

PROMO = {
    "nordcell": {
        "brand": {"ro": ["Cu Nordcell ai [internet nelimitat|100 GB] la doar {price} lei/lună! [Activează acum|Comandă online] 👉 {link}",
                         "Toamna asta vorbești mai mult: abonamentul Nordcell Max cu {pct}% reducere 📱 {link}"],
                  "ru": ["С Nordcell [безлимитный интернет|100 ГБ] всего за {price} лей в месяц! Подключай 👉 {link}",
                         "Этой осенью — больше общения: тариф Nordcell Max со скидкой {pct}% 📱 {link}"]},
        "voice": {"ro": ["Am trecut la Nordcell și [nu regret|internetul zboară] 😍 Codul {code} vă dă {pct}% reducere!",
                         "[Colaborare|Publicitate] | Testez de o lună Nordcell Max — [viteza e super|roaming-ul e ieftin] 📶 Cod: {code}",
                         "Cine mai caută abonament? Nordcell are acum {price} lei pentru tot. Cu {code} e și mai ieftin 😉"],
                  "ru": ["Перешла на Nordcell и [не жалею|интернет летает] 😍 Промокод {code} — скидка {pct}%!",
                         "[Реклама|Сотрудничество] | Месяц тестирую Nordcell Max — [скорость супер|роуминг дешёвый] 📶 Код: {code}"]},
        "tags": ["Nordcell", "NordcellMax"],
    },
    "codru_verde": {
        "brand": {"ro": ["Vă așteptăm de Ziua Vinului la cortul Codru Verde 🍷 [Degustare gratuită|Noul Fetească Neagră 2023]!",
                         "Codru Verde Rară Neagră — premiată la concursul internațional de la Lyon 🏅 {link}"],
                  "en": ["Taste Moldova 🍷 Codru Verde Fetească Neagră is now in London shops. {link}"],
                  "ru": ["Ждём вас на Дне вина в шатре Codru Verde 🍷 Бесплатная дегустация!"]},
        "voice": {"ro": ["Am fost la cortul Codru Verde de Ziua Vinului — [Feteasca Albă e minunată|Rara Neagră e top] 🍷",
                         "Dacă sunteți în centru azi, treceți pe la Codru Verde, degustarea e gratuită 🍇",
                         "[Parteneriat|Colaborare] cu Codru Verde 🍷 vinul perfect pentru serile de toamnă"],
                  "en": ["Moldovan wine is underrated. Codru Verde's Fetească Neagră is a great start 🍷"],
                  "ru": ["Были на Дне вина у Codru Verde — Фетяска Албэ просто чудо 🍷"]},
        "tags": ["ZiuaVinului", "CodruVerde", "MoldovanWine"],
    },
    "marketplus": {
        "brand": {"ro": ["Black Friday la MarketPlus: reduceri până la {pct}%! 🛒 Doar {days} zile. {link}",
                         "Prețuri de Black Friday începând de vineri la MarketPlus 🔥 Lista produselor: {link}"],
                  "ru": ["Чёрная пятница в MarketPlus: скидки до {pct}%! 🛒 Всего {days} дней. {link}"]},
        "voice": {"ro": ["Am prins reducerile de la MarketPlus 🛒 [televizorul cu -{pct}%|frigiderul la jumătate de preț]!",
                         "Fetelor, la MarketPlus e Black Friday, codul {code} mai dă {pct}% 😍"],
                  "ru": ["Успела на скидки в MarketPlus 🛒 телевизор -{pct}%!", "Девочки, в MarketPlus Чёрная пятница, код {code} 😍"]},
        "tags": ["MarketPlus", "BlackFriday"],
    },
    "taxigo": {
        "brand": {"ro": ["Descarcă aplicația TaxiGo și ai prima cursă gratuită cu codul {code} 🚕 {link}",
                         "TaxiGo e acum și la Bălți! Prima cursă din partea noastră 🚕 {link}"],
                  "ru": ["Скачай TaxiGo — первая поездка бесплатно с кодом {code} 🚕 {link}"]},
        "voice": {"ro": ["Am încercat TaxiGo azi, mașina a venit în 3 minute 🚕 Cod pentru voi: {code}",
                         "Giveaway 🎁 {n} de curse gratuite TaxiGo! Dați share și tag unui prieten"],
                  "ru": ["Попробовала TaxiGo, машина за 3 минуты 🚕 Ваш код: {code}"]},
        "tags": ["TaxiGo"],
    },
}

GIVEAWAY = {
    "ro": ["Particip! 🍀", "Eu vreau 🙏 @{friend}", "Sper să câștig 🤞", "Particip, @{friend} @{friend}", "Super concurs!"],
    "ru": ["Участвую! 🍀", "Хочу 🙏 @{friend}", "Надеюсь выиграть 🤞", "Участвую, @{friend}"],
}

# News items rebroadcast by aggregator networks: (topic, target or "", {lang: headlines}).
NEWS = [
    ("cec_results", "", {
        "ro": ["CEC a anunțat rezultatele preliminare ale [turului întâi|scrutinului]",
               "[Rezultate preliminare|Date CEC]: [participarea|prezența] a fost de {pct}%",
               "Prezența la vot a depășit {pct}% până la ora 15:00"],
        "ru": ["ЦИК объявил предварительные итоги [первого тура|голосования]",
               "[Предварительно|Данные ЦИК]: явка составила {pct}%", "Явка к 15:00 превысила {pct}%"]}),
    ("vt_report", "t01-vot-transparent", {
        "ro": ["Vot Transparent a publicat raportul preliminar de observare: {n} de incidente în secții",
               "Observatorii Vot Transparent au semnalat transportarea organizată a alegătorilor",
               "Misiunea Vot Transparent: votul a fost în general liber, dar cu încălcări"],
        "ru": ["Vot Transparent опубликовало предварительный доклад: {n} инцидентов на участках",
               "Наблюдатели Vot Transparent сообщили об организованном подвозе избирателей"]}),
    ("vt_denies", "t01-vot-transparent", {
        "ro": ["Vot Transparent respinge acuzațiile că ar fi „finanțat de Soros”: toate granturile sunt publice",
               "Vot Transparent denunță o campanie de defăimare pe rețelele sociale"],
        "ru": ["Vot Transparent отвергает обвинения в «финансировании от Сороса»: все гранты публичны",
               "Vot Transparent заявило о кампании травли в соцсетях"]}),
    ("rl_investigation", "t02-reporter-liber", {
        "ro": ["Reporter Liber: anchetă despre transferuri suspecte prin carduri bancare înainte de vot",
               "Investigație Reporter Liber: cum au fost plătiți alegătorii prin oficiile poștale"],
        "ru": ["Reporter Liber: расследование о подозрительных переводах на банковские карты перед выборами",
               "Расследование Reporter Liber: как избирателям платили через почту"]}),
    ("union_strike", "t05-educatie-demna", {
        "ro": ["Sindicatul Educație Demnă anunță grevă de avertisment pe {days} noiembrie",
               "Profesorii ies la protest: Educație Demnă cere majorarea salariilor cu {pct}%"],
        "ru": ["Профсоюз «Educație Demnă» объявил предупредительную забастовку",
               "Учителя выходят на протест: профсоюз требует повысить зарплаты на {pct}%"]}),
    ("floresti_twinning", "t04-ion-cebotari", {
        "ro": ["Primăria Florești a semnat acordul de înfrățire cu un oraș din județul Iași",
               "Primarul Ion Cebotari: înfrățirea aduce proiecte de {n} de mii de euro pentru drumuri"],
        "ru": ["Примэрия Флорешт подписала соглашение о побратимстве с городом из уезда Яссы",
               "Мэр Ион Чеботарь: побратимство принесёт проекты на дороги"]}),
    ("ursu_hearing", "t10-victor-ursu", {
        "ro": ["Deputatul Victor Ursu cere audieri în comisie privind creditele neperformante ale unei bănci",
               "Comisia anticorupție, condusă de Victor Ursu, a audiat conducerea băncii"],
        "ru": ["Депутат Виктор Урсу требует слушаний по проблемным кредитам банка",
               "Антикоррупционная комиссия во главе с Виктором Урсу заслушала руководство банка"]}),
    ("quarry", "t07-econistru", {
        "ro": ["Cariera de prundiș de pe Nistru: EcoNistru a depus plângere la Inspectoratul de Mediu",
               "Localnicii și EcoNistru au blocat drumul spre cariera de prundiș"],
        "ru": ["Гравийный карьер на Днестре: EcoNistru подало жалобу в экоинспекцию",
               "Жители и EcoNistru перекрыли дорогу к карьеру"]}),
    ("weather", "", {
        "ro": ["Meteo: ploi și răcire bruscă de mâine, [maxime de {kg} grade|vânt puternic]",
               "Cod galben de vânt puternic în nordul țării", "Prima brumă: temperaturi negative noaptea"],
        "ru": ["Погода: дожди и резкое похолодание с завтрашнего дня", "Жёлтый код из-за сильного ветра на севере",
               "Первые заморозки: ночью до минуса"]}),
    ("gas_price", "", {
        "ro": ["ANRE: tariful la gaz [scade|se modifică] de la 1 noiembrie", "Facturile la căldură: cât vom plăti iarna asta"],
        "ru": ["АНРЭ: тариф на газ [снижается|меняется] с 1 ноября", "Счета за отопление: сколько заплатим этой зимой"]}),
    ("accident", "", {
        "ro": ["Accident pe traseul Chișinău–Hîncești, două persoane rănite", "Trafic blocat pe șoseaua Balcani după un accident"],
        "ru": ["ДТП на трассе Кишинёв–Хынчешть, двое пострадавших", "Пробка на Балканском шоссе после аварии"]}),
    ("time_change", "", {
        "ro": ["Atenție: în noaptea de sâmbătă spre duminică trecem la ora de iarnă",
               "Ora de iarnă: ceasurile se dau înapoi cu o oră"],
        "ru": ["Внимание: в ночь на воскресенье переходим на зимнее время", "Зимнее время: часы переводят на час назад"]}),
    ("football", "", {
        "ro": ["Naționala Moldovei a câștigat [în deplasare|acasă] în Liga Națiunilor, scor {score}",
               "Liga Națiunilor: Moldova urcă pe primul loc în grupă"],
        "ru": ["Сборная Молдовы победила в Лиге наций со счётом {score}", "Лига наций: Молдова выходит на первое место в группе"]}),
]
CHANNEL_FOOTERS = {
    "ro": ["👉 Abonează-te: t.me/{chan}", "📲 Toate știrile: t.me/{chan}", "🔔 {name} | Fii la curent",
           "Urmărește-ne: {name}"],
    "ru": ["👉 Подписаться: t.me/{chan}", "📲 Все новости: t.me/{chan}", "🔔 {name} | Будь в курсе",
           "Читайте нас: {name}"],
}

FAN = {
    "carla_doina": {
        "ro": ["[Ascultați|Stream] noul single al Carlei Doina „Nopți la Nistru” 😍🔥 {link}",
               "Carla, te iubim! ❤️ Cea mai tare piesă a toamnei", "Hai să ajungem la 1M vizualizări până duminică! 🔥",
               "„Nopți la Nistru” pe repeat de azi-dimineață 🎧", "Cine a văzut clipul? Carla e superbă ✨",
               "Votați „Nopți la Nistru” în topul săptămânii! 🙏 {link}", "Refrenul ăsta nu-mi iese din cap 😭❤️"],
        "ru": ["Новый трек Карлы Дойны — огонь 🔥 {link}", "Карла, мы тебя любим! ❤️",
               "Давайте наберём миллион просмотров до воскресенья! 🔥", "«Nopți la Nistru» на повторе с утра 🎧"],
        "en": ["Carla Doina's new single is everything 😭❤️ {link}", "Streaming 'Nopți la Nistru' all day 🎧"],
        "tags": ["CarlaDoina", "NoptiLaNistru"],
    },
    "fc_olimp": {
        "ro": ["Hai Olimp! ⚽ Azi la 18:00, toți la stadion!", "Ce meci! {score} 🔥 Olimp e pe primul loc!",
               "Peluza Nord, ne vedem la meci 💙💛", "Olimp, Olimp, Olimp! 🔥🔥", "Trei puncte acasă, bravo băieți! 💪",
               "Cine merge la deplasarea de la Bălți? Autocarul pleacă la 12:00"],
        "ru": ["Вперёд, Олимп! ⚽ Сегодня в 18:00 все на стадион!", "Какой матч! {score} 🔥", "Олимп — чемпион! 💙💛",
               "Три очка дома, молодцы парни! 💪"],
        "tags": ["HaiOlimp", "FCOlimp"],
    },
    "national_team": {
        "ro": ["Hai Moldova! 🇲🇩⚽ Toată țara e cu voi!", "Ce emoții! {score} pentru ai noștri 🇲🇩",
               "Mândru de naționala noastră 💪🇲🇩", "Ne vedem pe Zimbru, hai cu tricourile albastre! 🇲🇩"],
        "ru": ["Вперёд, Молдова! 🇲🇩⚽", "Какие эмоции! {score} 🇲🇩", "Горжусь нашей сборной 💪"],
        "en": ["Come on Moldova! 🇲🇩⚽ What a night!"],
        "tags": ["HaiMoldova", "NationsLeague"],
    },
}

SOLIDARITY = {
    "free_lungu": {
        "ro": ["Jurnalistul Serghei Lungu e reținut la Tiraspol de {days} zile. [Cerem eliberarea lui imediată.|Eliberați-l!]",
               "Serghei Lungu și-a făcut doar meseria. Jurnalismul nu e o crimă. 🕊",
               "[Ziua|A] {days}-a fără Serghei Lungu. Nu tăcem.", "Solidaritate cu Serghei și familia lui 🙏"],
        "ru": ["Журналист Сергей Лунгу задержан в Тирасполе уже [десять дней|две недели|три недели]. Свободу Сергею!",
               "Сергей Лунгу просто делал свою работу. Журналистика — не преступление. 🕊"],
        "en": ["Journalist Serghei Lungu has been detained in Tiraspol for {days} days. Free him now.",
               "Journalism is not a crime. Free Serghei Lungu. 🕊"],
        "tags": ["FreeSergheiLungu", "JournalismIsNotACrime"], "target": "",
    },
    "with_vt": {
        "ro": ["Observatorii de la Vot Transparent fac o muncă enormă și onestă. Atacurile la adresa lor sunt [rușinoase|murdare].",
               "Nu, Vot Transparent nu e „agent străin”. Sunt oameni care au stat 16 ore în secții. Respect! 🙏",
               "Am fost observator cu Vot Transparent. Nimeni nu ne-a plătit „de la Soros”, am stat voluntar.",
               "Campania de ură contra Vot Transparent arată doar că raportul lor a deranjat. Solidaritate!"],
        "ru": ["Наблюдатели Vot Transparent делают честную работу. Травля — позор.",
               "Нет, Vot Transparent не «иностранный агент». Люди по 16 часов сидели на участках. Уважение! 🙏"],
        "en": ["The smear campaign against Vot Transparent is disgraceful. Observers are not foreign agents."],
        "tags": ["SuntemCuVotTransparent", "ObservatoriiNuSuntDușmani"], "target": "t01-vot-transparent",
    },
    "with_sarbu": {
        "ro": ["Doctorița Elena Sârbu a avut curajul să spună adevărul. Toată solidaritatea! 🙏",
               "Am fost pacienta doamnei Sârbu. Om de aur, medic de la Dumnezeu. Rușine celor care o atacă.",
               "Elena Sârbu nu e coruptă, e unul dintre puținii medici care nu iau plicuri. Susțin!"],
        "ru": ["Доктор Елена Сырбу не побоялась сказать правду. Полная солидарность! 🙏",
               "Лечилась у доктора Сырбу. Золотой человек. Стыдно тем, кто её травит."],
        "tags": ["SuntemCuElenaSarbu", "MediciiNuTac"], "target": "t03-elena-sarbu",
    },
    "with_teachers": {
        "ro": ["Susțin greva profesorilor! Salariile mici nu sunt o glumă.",
               "Educație Demnă are dreptate: un profesor tânăr ia mai puțin decât un casier.",
               "Mama e învățătoare de 30 de ani. Azi e în fața Guvernului și sunt mândru de ea ✊"],
        "ru": ["Поддерживаю забастовку учителей! Зарплаты — это не шутка.", "Мама 30 лет учительница, сегодня она у правительства ✊"],
        "tags": ["ProfesoriiMeritaMaiMult", "EducatieDemna"], "target": "t05-educatie-demna",
    },
    "with_curcubeu": {
        "ro": ["Violența contra activiștilor Curcubeu e inacceptabilă. Nimeni nu merită să fie bătut pentru cine este.",
               "Oricine ai fi, ai dreptul să fii în siguranță. Solidaritate cu Curcubeu Moldova 🏳️‍🌈",
               "Ura de pe Telegram s-a transformat în agresiune. Poliția trebuie să acționeze."],
        "en": ["Solidarity with Curcubeu Moldova after the attack. Hate has no place here 🏳️‍🌈"],
        "ru": ["Насилие против активистов Curcubeu недопустимо. Солидарность 🏳️‍🌈"],
        "tags": ["StopUra", "SolidaritateCurcubeu"], "target": "t06-curcubeu",
    },
}

CHARITY = {
    "blood": {
        "ro": ["Azi am donat sânge 🩸 Veniți și voi — e nevoie urgentă de grupa {blood}!",
               "Centrul de Transfuzie are nevoie de donatori cu grupa {blood}. Durează 20 de minute, salvează vieți 🙏",
               "Prima mea donare! Nu doare deloc, promit 😅🩸"],
        "ru": ["Сегодня сдал кровь 🩸 Приходите, срочно нужна группа {blood}!", "Первая сдача крови! Совсем не больно 😅🩸"],
        "tags": ["DoneazaSange", "SalveazaOViata"],
    },
    "mihaita": {
        "ro": ["Ajutați-l pe Mihăiță (5 ani) să ajungă la operația de la Istanbul. Orice leu contează 🙏 {link}",
               "Mai avem nevoie de {n}0 de euro pentru operația lui Mihăiță. Vă rog, share! {link}",
               "Am donat pentru Mihăiță. Faceți și voi, cât puteți 🙏"],
        "ru": ["Помогите Михэицэ (5 лет) попасть на операцию в Стамбуле. Каждый лей важен 🙏 {link}",
               "Пожертвовала для Михэицэ. Помогите и вы, кто сколько может 🙏"],
        "tags": ["AjutamPeMihaita"],
    },
    "fire_relief": {
        "ro": ["Sătenii din {village} au rămas fără case după incendiu. Strângem haine și alimente la primărie.",
               "Am dus două saci de haine pentru oamenii din {village}. Mai e nevoie de pături și conserve!",
               "Transferuri pentru familiile din {village}: IBAN afișat la primărie. Mulțumim tuturor ❤️"],
        "ru": ["Жители {village} остались без домов после пожара. Собираем одежду и продукты.",
               "Отвезли вещи для людей из {village}. Нужны ещё одеяла и консервы!"],
        "tags": ["AjutorPentru{village_tag}"],
    },
    "refugee_winter": {
        "uk": ["Збираємо теплий одяг для дітей-біженців у Кишиневі. Пункт прийому працює щодня 💛💙",
               "Дякуємо всім, хто приніс речі! Ще потрібні зимові чоботи 30-36 розміру.",
               "Молдова, дякуємо за тепло 💛💙 Вже 300 дітей отримали куртки."],
        "ro": ["Strângem haine calde pentru copiii refugiați din Chișinău. Punctul de colectare e deschis zilnic.",
               "Am dus geci și cizme pentru copiii refugiați. Mai e nevoie de încălțăminte mărimea 30-36!"],
        "ru": ["Собираем тёплую одежду для детей-беженцев в Кишинёве. Пункт приёма работает каждый день."],
        "tags": ["IarnaFaraFrig", "ТеплоДляДітей"],
    },
}
