//! Unit tests: each decoding path on small PDFs built here with lopdf.

use super::*;
use lopdf::{dictionary, Stream};

/// Builds a one-page PDF with the given font resources and content, plus
/// whatever `extra` adds to the document (it gets the page's resources dict
/// to extend). Returns the file bytes.
fn build(fonts: Dictionary, content: &[u8], extra: impl FnOnce(&mut Document, &mut Dictionary)) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let mut resources = dictionary! { "Font" => fonts };
    extra(&mut doc, &mut resources);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
        "Resources" => resources,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Testi"),
        "CreationDate" => Object::string_literal("D:20250314093000+02'00'"),
    });
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out).map(|_| out).unwrap_or_default()
}

fn helvetica() -> Dictionary {
    dictionary! {
        "F1" => dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        }
    }
}

fn text_of(bytes: &[u8]) -> String {
    match extract(bytes, &PdfLimits::default()) {
        Ok(t) => t.pages.join("\u{c}"),
        Err(e) => format!("ERROR {e}"),
    }
}

#[test]
fn winansi_helvetica_nordic_letters() {
    let pdf =
        build(helvetica(), b"BT /F1 12 Tf 72 700 Td (Hyv\\344\\344 p\\344iv\\344\\344, \\305bo) Tj ET", |_, _| {});
    assert_eq!(text_of(&pdf).trim(), "Hyvää päivää, Åbo");
}

#[test]
fn metadata_is_read() {
    let pdf = build(helvetica(), b"BT /F1 12 Tf 72 700 Td (x) Tj ET", |_, _| {});
    let t = extract(&pdf, &PdfLimits::default()).unwrap_or_default();
    assert_eq!(t.title.as_deref(), Some("Testi"));
    assert_eq!(t.created.as_deref(), Some("2025-03-14T09:30:00"));
}

#[test]
fn differences_glyph_names_and_ligatures() {
    let fonts = dictionary! {
        "F1" => dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman",
            "Encoding" => dictionary! {
                "Type" => "Encoding",
                "Differences" => vec![1.into(), "adieresis".into(), "fi".into(), "odieresis".into(), "uni00E5".into()],
            },
        }
    };
    let pdf = build(fonts, b"BT /F1 12 Tf 72 700 Td (\\001\\002\\003\\004 nal) Tj ET", |_, _| {});
    assert_eq!(text_of(&pdf).trim(), "äfiöå nal");
}

#[test]
fn tounicode_cmap_type0_identity() {
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
        1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
        2 beginbfchar <0001> <0048> <0002> <FB01> endbfchar\n\
        1 beginbfrange <0003> <0004> [<00E4> <0020>] endbfrange\nendcmap end end";
    let fonts_closure = |doc: &mut Document, res: &mut Dictionary| {
        let tu = doc.add_object(Stream::new(dictionary! {}, cmap.to_vec()));
        let desc = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Test",
            "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Identity"), "Supplement" => 0 },
            "DW" => 500,
        });
        res.set(
            "Font",
            dictionary! { "F1" => dictionary! {
                "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Test", "Encoding" => "Identity-H",
                "DescendantFonts" => vec![desc.into()], "ToUnicode" => tu,
            }},
        );
    };
    let pdf = build(Dictionary::new(), b"BT /F1 12 Tf 72 700 Td <00010003000400020003> Tj ET", fonts_closure);
    // U+FB01 is expanded to "fi".
    assert_eq!(text_of(&pdf).trim(), "Hä fiä");
}

#[test]
fn tj_kerning_is_not_a_space_but_a_gap_is() {
    let pdf = build(
        helvetica(),
        b"BT /F1 12 Tf 72 700 Td [(Hyv) 30 (\\344\\344) -20 (n) -400 (p\\344iv\\344n)] TJ ET",
        |_, _| {},
    );
    assert_eq!(text_of(&pdf).trim(), "Hyvään päivän");
}

#[test]
fn separate_strings_on_one_line_and_new_lines() {
    // ReportLab style: each line its own string, no trailing spaces.
    let pdf = build(
        helvetica(),
        b"BT /F1 10 Tf 72 700 Td (ensimm\\344inen rivi) Tj 0 -12 Td (toinen) Tj ( sana) Tj 70 0 Td (kaukana) Tj ET",
        |_, _| {},
    );
    assert_eq!(text_of(&pdf).trim(), "ensimmäinen rivi\ntoinen sana kaukana");
}

#[test]
fn quote_operators_move_to_next_line() {
    let pdf = build(helvetica(), b"BT /F1 10 Tf 14 TL 72 700 Td (yksi) Tj (kaksi) ' 1 0 (kolme) \" ET", |_, _| {});
    assert_eq!(text_of(&pdf).trim(), "yksi\nkaksi\nkolme");
}

#[test]
fn form_xobject_that_draws_itself_is_read_once() {
    let pdf = build(helvetica(), b"BT /F1 10 Tf 72 700 Td (Sivu) Tj ET /X0 Do", |doc, res| {
        let fonts = helvetica();
        // The form's own resources name itself as /X0: a cycle.
        let form_id = doc.new_object_id();
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => dictionary! { "Font" => fonts, "XObject" => dictionary! { "X0" => form_id } },
            },
            b"BT /F1 10 Tf 72 600 Td (Lomake) Tj ET /X0 Do".to_vec(),
        );
        doc.objects.insert(form_id, Object::Stream(form));
        res.set("XObject", dictionary! { "X0" => form_id });
    });
    assert_eq!(text_of(&pdf).trim(), "Sivu\nLomake");
}

#[test]
fn an_image_page_without_text_is_a_scanned_page() {
    let pdf = build(Dictionary::new(), b"q 100 0 0 100 0 0 cm /Im0 Do Q", |doc, res| {
        let img = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            vec![0x80],
        ));
        res.set("XObject", dictionary! { "Im0" => img });
    });
    let text = extract(&pdf, &PdfLimits::default()).unwrap();
    assert_eq!(text.scanned_pages, vec![1]);
    assert!(text.pages[0].trim().is_empty());
    assert!(text.warnings.is_empty(), "{:?}", text.warnings);
    assert!(has_no_real_text("Sivu 3\n") && !has_no_real_text("Kotivara kuntoon nyt"));
}

#[test]
fn error_kinds() {
    let l = PdfLimits::default();
    assert_eq!(extract(b"", &l).err(), Some(PdfError::Empty));
    assert_eq!(extract(b"# Otsikko\n\nteksti", &l).err(), Some(PdfError::NotAPdf));
    let pdf = build(helvetica(), b"BT /F1 12 Tf 72 700 Td (Hyv\\344\\344) Tj ET", |_, _| {});
    let half = pdf.get(..pdf.len() / 3).unwrap_or_default();
    assert!(matches!(extract(half, &l), Err(PdfError::Truncated) | Err(PdfError::Damaged(_))));
}

#[test]
fn missing_xref_is_rebuilt() {
    let pdf = build(helvetica(), b"BT /F1 12 Tf 72 700 Td (korjattu) Tj ET", |_, _| {});
    // Cut away the xref table and trailer pointer; the objects remain.
    let cut = pdf.windows(4).rposition(|w| w == b"xref").unwrap_or(pdf.len());
    let mut damaged = pdf.get(..cut).unwrap_or_default().to_vec();
    damaged.extend_from_slice(b"trailer\n<< /Root 5 0 R >>\n");
    let r = extract(&damaged, &PdfLimits::default());
    if let Ok(t) = r {
        assert_eq!(t.pages.join("").trim(), "korjattu");
    }
}

#[test]
fn deep_and_cyclic_page_trees_terminate() {
    let mut doc = Document::with_version("1.5");
    let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let content = doc.add_object(Stream::new(dictionary! {}, b"BT /F1 12 Tf 72 700 Td (Syvyys) Tj ET".to_vec()));
    let root_id = doc.new_object_id();
    let mut parent = root_id;
    let mut ids = vec![root_id];
    for _ in 0..3000 {
        let id = doc.new_object_id();
        ids.push(id);
        let _ = parent;
        parent = id;
    }
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => parent, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    for (k, id) in ids.iter().enumerate() {
        let kids: Vec<Object> = match ids.get(k + 1) {
            // Each node also lists the root again: a cycle.
            Some(next) => vec![(*next).into(), root_id.into()],
            None => vec![page.into()],
        };
        doc.objects.insert(*id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 1 }));
    }
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => root_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    let _ = doc.save_to(&mut out);
    let t = extract(&out, &PdfLimits::default()).unwrap_or_default();
    assert_eq!(t.pages.len(), 1);
    assert_eq!(t.pages.join("").trim(), "Syvyys");
}

#[test]
fn stream_cap_keeps_text_before_it() {
    use std::io::Write;
    let mut content = b"BT /F1 12 Tf 72 700 Td (Pommi) Tj ET\n".to_vec();
    content.extend(std::iter::repeat_n(b' ', 4_000_000));
    content.extend_from_slice(b"BT /F1 12 Tf 72 600 Td (loppu) Tj ET");
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(&content);
    let z = e.finish().unwrap_or_default();
    let pdf = {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let c = doc.add_object(Stream::new(dictionary! { "Filter" => "FlateDecode" }, z).with_compression(false));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => c, "Resources" => dictionary! { "Font" => helvetica() },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
        );
        let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", cat);
        let mut out = Vec::new();
        let _ = doc.save_to(&mut out);
        out
    };
    let limits = PdfLimits { max_stream_bytes: 1_000_000, ..PdfLimits::default() };
    let t = extract(&pdf, &limits).unwrap_or_default();
    assert_eq!(t.pages.join("").trim(), "Pommi");
    assert!(t.warnings.iter().any(|w| w.contains("limit")));
}

#[test]
fn line_end_hyphenation_joined_but_compounds_kept() {
    let pdf = build(
        helvetica(),
        b"BT /F1 10 Tf 14 TL 72 700 Td (yhdis-) Tj (tys ja toiminta-) ' (avustus) ' (avustuksen haku) ' ET",
        |_, _| {},
    );
    assert_eq!(text_of(&pdf).trim(), "yhdistys\nja toiminta-\navustus\navustuksen haku");
}

#[test]
fn two_columns_drawn_interleaved_are_read_by_column() {
    let mut c = b"BT /F1 10 Tf ".to_vec();
    for i in 0..8 {
        let y = 700 - i * 12;
        c.extend_from_slice(format!("1 0 0 1 72 {y} Tm (vasen palsta rivi {i} tekstiä tässä) Tj 1 0 0 1 320 {y} Tm (oikea palsta rivi {i} tekstiä) Tj ").as_bytes());
    }
    c.extend_from_slice(b"ET");
    let pdf = build(helvetica(), &c, |_, _| {});
    let t = text_of(&pdf);
    let left_last = t.find("vasen palsta rivi 7").unwrap_or(usize::MAX);
    let right_first = t.find("oikea palsta rivi 0").unwrap_or(0);
    assert!(left_last < right_first, "{t}");
}

/// Encrypts a built PDF with RC4-128 (V2, R3) and the given user password.
fn encrypt(bytes: &[u8], user_password: &str) -> Vec<u8> {
    let Ok(mut doc) = Document::load_mem(bytes) else { return Vec::new() };
    doc.trailer.set(
        "ID",
        vec![
            Object::string_literal(b"0123456789abcdef".to_vec()),
            Object::string_literal(b"0123456789abcdef".to_vec()),
        ],
    );
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "omistaja",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    };
    let Ok(state) = lopdf::EncryptionState::try_from(version) else { return Vec::new() };
    if doc.encrypt(&state).is_err() {
        return Vec::new();
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map(|_| out).unwrap_or_default()
}

#[test]
fn encryption_empty_user_password_reads_real_password_is_an_error() {
    let pdf = build(helvetica(), b"BT /F1 12 Tf 72 700 Td (Salattu \\344) Tj ET", |_, _| {});
    let open = encrypt(&pdf, "");
    assert!(!open.is_empty());
    assert_eq!(text_of(&open).trim(), "Salattu ä");
    let locked = encrypt(&pdf, "salasana");
    assert_eq!(extract(&locked, &PdfLimits::default()).err(), Some(PdfError::PasswordRequired));
}

#[test]
fn limits_give_typed_errors() {
    let pdf = build(helvetica(), b"BT /F1 12 Tf 72 700 Td (aika) Tj ET", |_, _| {});
    let no_time = PdfLimits { max_time: Duration::ZERO, ..PdfLimits::default() };
    assert_eq!(extract(&pdf, &no_time).err(), Some(PdfError::TimedOut));
    let no_bytes = PdfLimits { max_total_bytes: 0, ..PdfLimits::default() };
    assert!(matches!(extract(&pdf, &no_bytes), Err(PdfError::ResourceLimit(_))));
}

fn courier() -> Dictionary {
    dictionary! {
        "F1" => dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier", "Encoding" => "WinAnsiEncoding",
        }
    }
}

#[test]
fn plain_text_table_with_wrapped_cells_is_read_cell_by_cell() {
    // enscript style: a pandoc multiline table printed line by line in
    // Courier, a dashed rule under the header, table rows separated by
    // blank lines.
    let content = b"BT /F1 10 Tf 11 TL 50 700 Td \
        (Tavoite          Mittari          Tapa) Tj \
        (---------------- ---------------- ----------------) ' \
        (Yksin\\344isyys      osuus            kysely alussa) ' \
        (v\\344henee          osallistujista   ja lopussa) ' \
        (                 jotka kokevat) ' \
        () ' \
        (Perheet          ohjausten        tilastointi) ' \
        (l\\366yt\\344v\\344t         m\\344\\344r\\344            jokaisen kerran) ' \
        () ' \
        (Valitkaa muutama mittari, joita oikeasti jaksatte seurata.) ' ET";
    let pdf = build(courier(), content, |_, _| {});
    let text = text_of(&pdf);
    let words: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(
        words.join(" "),
        "Tavoite Mittari Tapa ---------------- ---------------- ---------------- Yksinäisyys vähenee osuus osallistujista jotka kokevat kysely alussa ja lopussa \
         Perheet löytävät ohjausten määrä tilastointi jokaisen kerran \
         Valitkaa muutama mittari, joita oikeasti jaksatte seurata."
    );
}

#[test]
fn prose_and_single_line_tables_keep_line_order() {
    // No blank lines between rows: nothing says which lines belong to one
    // table row, so stream order stays.
    let content = b"BT /F1 10 Tf 11 TL 50 700 Td \
        (Nimi             Puhelin) Tj \
        (Anna             040 123) ' \
        (Bertil           050 456) ' ET";
    let pdf = build(courier(), content, |_, _| {});
    assert_eq!(
        text_of(&pdf).split_whitespace().collect::<Vec<_>>().join(" "),
        "Nimi Puhelin Anna 040 123 Bertil 050 456"
    );
}

#[test]
fn content_stream_without_length_is_recovered() {
    let pdf = build(helvetica(), b"BT /F1 12 Tf 72 700 Td (Pituus puuttuu) Tj ET", |_, _| {});
    // Drop the /Length entry of the content stream, as some writers do.
    let Some(p) = pdf.windows(7).position(|w| w == b"/Length") else { return };
    let mut end = p + 7;
    while pdf.get(end).is_some_and(|c| *c == b' ' || c.is_ascii_digit()) {
        end += 1;
    }
    let mut broken = pdf.get(..p).unwrap_or_default().to_vec();
    broken.extend_from_slice(pdf.get(end..).unwrap_or_default());
    let got = extract(&broken, &PdfLimits::default());
    assert_eq!(got.as_ref().map(|t| t.pages.join("").trim().to_string()).ok().as_deref(), Some("Pituus puuttuu"));
    assert!(got.is_ok_and(|t| t.warnings.iter().any(|w| w.contains("without its length"))));
}

#[test]
fn cjk_collection_without_tounicode_reads_its_ascii_cids() {
    // OpenOffice's Arial Unicode subsets: Adobe-Japan1, Identity-H, no
    // ToUnicode and no cmap; CIDs 1..95 of the collection are ASCII.
    let fonts_closure = |doc: &mut Document, res: &mut Dictionary| {
        let desc = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "Test",
            "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"), "Ordering" => Object::string_literal("Japan1"), "Supplement" => 2 },
            "DW" => 500,
        });
        res.set(
            "Font",
            dictionary! { "F1" => dictionary! {
                "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Test", "Encoding" => "Identity-H",
                "DescendantFonts" => vec![desc.into()],
            }},
        );
    };
    // "Hei 1" = CIDs 0x29 0x46 0x4A 0x01 0x12.
    let pdf = build(Dictionary::new(), b"BT /F1 12 Tf 72 700 Td <00290046004a00010012> Tj ET", fonts_closure);
    assert_eq!(text_of(&pdf).trim(), "Hei 1");
}

#[test]
fn font_missing_from_resources_is_read_as_standard_font() {
    let pdf = build(helvetica(), b"BT /F9 12 Tf 72 700 Td (Kadonnut fontti) Tj ET", |_, _| {});
    let got = extract(&pdf, &PdfLimits::default());
    assert_eq!(got.as_ref().map(|t| t.pages.join("").trim().to_string()).ok().as_deref(), Some("Kadonnut fontti"));
    assert!(got.is_ok_and(|t| t.warnings.iter().any(|w| w.contains("F9"))));
}

#[test]
fn accents_drawn_as_glyphs_of_their_own_are_composed() {
    // As pdfTeX draws OT1 accents: the accent, then a kern back, then the
    // letter under it ("Link¨oping"); and the letter first, then the accent
    // drawn back over it. Courier: every glyph 600 units wide.
    let pdf = build(
        courier(),
        b"BT /F1 12 Tf 72 700 Td [(Link) (\\250) 600 (oping f) (o) 600 (\\250) (rening p) (\\264) 600 (a) ] TJ ET \
          BT /F1 12 Tf 72 680 Td [(x^2 och ~5 km, \\250 ensam) ] TJ ET",
        |_, _| {},
    );
    assert_eq!(text_of(&pdf).trim(), "Linköping förening pá\nx^2 och ~5 km, ¨ ensam");
}
