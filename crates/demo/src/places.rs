//! The demo organisation's map: ten regions and eighty branches. Branch names are invented
//! (apart from Southwark and Havering, the branches of the story); postcode areas are real
//! UK areas for the region, so addresses look right on a page without pointing at anyone.

pub(crate) struct RegionSpec {
    pub name: &'static str,
    pub slug: &'static str,
    pub branches: &'static [BranchSpec],
}

pub(crate) struct BranchSpec {
    pub name: &'static str,
    /// Postcode area letters, e.g. "SE".
    pub area: &'static str,
    /// Postcode districts within the area the branch covers.
    pub districts: &'static [u8],
}

const fn b(name: &'static str, area: &'static str, districts: &'static [u8]) -> BranchSpec {
    BranchSpec {
        name,
        area,
        districts,
    }
}

pub(crate) const REGIONS: &[RegionSpec] = &[
    RegionSpec {
        name: "London",
        slug: "london",
        branches: &[
            b("Southwark", "SE", &[1, 5, 15, 16, 17, 22]),
            b("Havering", "RM", &[1, 2, 3, 7, 11, 12, 14]),
            b("Ashgrove Park", "E", &[5, 8, 9]),
            b("Bellingford", "SE", &[6, 12, 13]),
            b("Cranmoor Heath", "N", &[4, 8, 15]),
            b("Dunmore Fields", "NW", &[5, 6, 10]),
            b("Elmcote", "SW", &[2, 9, 11]),
            b("Fenwick Common", "E", &[6, 12, 13]),
            b("Greywell", "W", &[3, 5, 7]),
            b("Hollins Cross", "N", &[17, 18, 22]),
            b("Kingsbarrow", "BR", &[1, 2, 3]),
            b("Larchmead", "CR", &[0, 2, 7]),
            b("Marshgate", "IG", &[1, 3, 11]),
            b("Netherhall", "HA", &[0, 1, 9]),
        ],
    },
    RegionSpec {
        name: "South East",
        slug: "south-east",
        branches: &[
            b("Ashcombe Downs", "BN", &[1, 2, 3]),
            b("Brackley Weald", "RH", &[10, 11, 12]),
            b("Chalkford", "GU", &[1, 2, 3]),
            b("Dunhurst", "ME", &[4, 5, 7]),
            b("Eastry Marsh", "CT", &[1, 2, 9]),
            b("Foxley Ridge", "TN", &[1, 2, 4]),
            b("Glenbourne", "OX", &[1, 3, 4]),
            b("Hartwell Green", "RG", &[1, 2, 6]),
            b("Ivychurch Bay", "PO", &[1, 4, 5]),
            b("Kennet Vale", "SO", &[14, 15, 17]),
        ],
    },
    RegionSpec {
        name: "East of England",
        slug: "east-of-england",
        branches: &[
            b("Abbotsley Fen", "CB", &[1, 2, 4]),
            b("Brandwick", "NR", &[1, 2, 3]),
            b("Coldham St Mary", "IP", &[1, 2, 4]),
            b("Deeping Reach", "CO", &[1, 2, 3]),
            b("Eldmere", "CM", &[1, 2, 20]),
            b("Felsworth", "SS", &[0, 1, 2]),
            b("Gransden Vale", "LU", &[1, 2, 4]),
        ],
    },
    RegionSpec {
        name: "South West",
        slug: "south-west",
        branches: &[
            b("Avonmere", "BS", &[1, 3, 5]),
            b("Blackcombe", "EX", &[1, 2, 4]),
            b("Carrek Point", "TR", &[1, 11, 18]),
            b("Dartleigh", "PL", &[1, 2, 4]),
            b("Exbury Cross", "BA", &[1, 2]),
            b("Fromewater", "TA", &[1, 2]),
            b("Glastonmead", "GL", &[1, 2, 4]),
        ],
    },
    RegionSpec {
        name: "Midlands",
        slug: "midlands",
        branches: &[
            b("Alderbrook", "B", &[5, 10, 11, 12]),
            b("Brinkworth", "CV", &[1, 2, 6]),
            b("Castle Marden", "NG", &[1, 3, 7]),
            b("Derwent Edge", "DE", &[1, 21, 22]),
            b("Ellesmere Park", "LE", &[1, 2, 4]),
            b("Foxwell Locks", "NN", &[1, 2, 3]),
            b("Gresley Moor", "ST", &[1, 4, 6]),
            b("Hanford Vale", "WV", &[1, 2, 3]),
            b("Irongate", "WS", &[1, 2, 3]),
            b("Kinmere", "DY", &[1, 2, 4]),
        ],
    },
    RegionSpec {
        name: "North West",
        slug: "north-west",
        branches: &[
            b("Ardley Cross", "M", &[1, 4, 13]),
            b("Birchley", "M", &[14, 16, 19]),
            b("Calderbank", "OL", &[1, 4, 8]),
            b("Dunmoss", "L", &[1, 7, 8]),
            b("Everholme", "L", &[15, 17, 18]),
            b("Fellside", "CA", &[1, 2, 3]),
            b("Gorsefield", "PR", &[1, 2, 5]),
            b("Highbarrow", "BB", &[1, 2, 5]),
            b("Irwell Bridge", "BL", &[1, 2, 3]),
        ],
    },
    RegionSpec {
        name: "Yorkshire and the Humber",
        slug: "yorkshire",
        branches: &[
            b("Airedale Cross", "BD", &[1, 3, 7]),
            b("Brantholme", "LS", &[6, 7, 8]),
            b("Calder Heights", "HX", &[1, 2, 3]),
            b("Donsgate", "S", &[1, 2, 7, 11]),
            b("Eskmoor", "YO", &[1, 10, 24]),
            b("Fosswick", "HU", &[1, 3, 5]),
            b("Grindley Bank", "HD", &[1, 2, 3]),
            b("Holmebridge", "WF", &[1, 2, 3]),
        ],
    },
    RegionSpec {
        name: "North East",
        slug: "north-east",
        branches: &[
            b("Tyneholme", "NE", &[1, 4, 6]),
            b("Wearside Vale", "SR", &[1, 2, 3]),
            b("Deerness Vale", "DH", &[1, 6, 7]),
            b("Teesbank", "TS", &[1, 3, 5]),
        ],
    },
    RegionSpec {
        name: "Scotland",
        slug: "scotland",
        branches: &[
            b("Clydemuir", "G", &[1, 3, 11, 12, 20]),
            b("Leithmount", "EH", &[1, 6, 7, 11]),
            b("Donside", "AB", &[10, 11, 24]),
            b("Taymouth", "DD", &[1, 2, 3]),
            b("Kingsferry", "KY", &[1, 2, 11]),
            b("Forthbank", "FK", &[1, 2, 7]),
            b("Inverallan", "IV", &[1, 2, 3]),
        ],
    },
    RegionSpec {
        name: "Wales",
        slug: "wales",
        branches: &[
            b("Caerwen", "CF", &[10, 11, 24]),
            b("Abermawr", "SA", &[1, 2, 15]),
            b("Llanfedw", "LL", &[11, 55, 57]),
            b("Pontyfelin", "NP", &[4, 19, 20]),
        ],
    },
];

/// Letters that appear in the last two places of a real inward code (C, I, K, M, O and V
/// never do), so generated postcodes look like the real thing.
pub(crate) const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

pub(crate) fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}
