//! The query mix of the search benchmarks: inflected forms, compound
//! parts, missing umlauts, typos, phrases, exclusions and filters in
//! Finnish, Swedish and English.

/// The queries.
pub const QUERIES: [&str; 24] = [
    "sähkökatkon aikana",
    "valmiussuunnitelma",
    "suunnitelma",
    "sahkokatko",
    "vapaaehtosten rekrytointi",
    "avustus kalenteri",
    "\"toiminnan jatkuvuus\"",
    "miten haen kaupungin avustusta",
    "beredskapsplanen",
    "beredskap",
    "stromavbrott",
    "frivilliga försäkring",
    "lokal bokning",
    "\"frivilliga räddningstjänsten\"",
    "hembredskap checklista",
    "city grant applications",
    "volunteers evacuating residents",
    "well being activities",
    "power outage -summer",
    "grant reporting lang:en",
    "how do we apply for a grant",
    "data protection tag:grants",
    "yhdistys",
    "hallituksen kokous pöytäkirja",
];
