//! A meeting's agenda as numbered items, and the papers circulated for them. The officers who
//! run the meeting (the same office that calls it) add, reword, reorder and take off items
//! until it starts; from then the agenda is fixed. They circulate papers — PDF, plain text,
//! Markdown, ODT, DOCX, PNG or JPEG, at most 5 MB, checked by their first bytes as well as
//! their declared type — until the meeting ends, and may withdraw one: a withdrawn paper is
//! kept, with its SHA-256, so the record shows what members had before them. Every member
//! may read the agenda and download its papers; reading a paper is not personal data, so no
//! access is logged, but every change is a governance event.

use charter_domain::{Actor, FieldErrors, HeldOffice, MeetingState};
use charter_model::{AgendaItemId, MeetingId, PaperId};
use charter_store::{
    AgendaItemChange, AgendaItemRecord, MeetingRecord, NewAgendaItem, NewPaper, PaperRecord,
    StoreError,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::stale_is_conflict;
use crate::{App, AppError, event_actor};

/// The largest paper accepted, in bytes (5 MB).
pub const MAX_PAPER_BYTES: usize = 5 * 1024 * 1024;
/// The longest title of an agenda item, in characters.
pub const MAX_ITEM_TITLE: usize = 200;
/// The longest description of an agenda item, in characters.
pub const MAX_ITEM_DESCRIPTION: usize = 2_000;
/// Longest file name kept, in characters.
const MAX_FILENAME: usize = 120;

/// A kind of paper Charter accepts, with the type it is served as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperKind {
    Pdf,
    Text,
    Markdown,
    Odt,
    Docx,
    Png,
    Jpeg,
}

impl PaperKind {
    pub const ALL: [PaperKind; 7] = [
        PaperKind::Pdf,
        PaperKind::Text,
        PaperKind::Markdown,
        PaperKind::Odt,
        PaperKind::Docx,
        PaperKind::Png,
        PaperKind::Jpeg,
    ];

    /// The media type it is stored and served as.
    pub fn content_type(self) -> &'static str {
        match self {
            PaperKind::Pdf => "application/pdf",
            PaperKind::Text => "text/plain",
            PaperKind::Markdown => "text/markdown",
            PaperKind::Odt => "application/vnd.oasis.opendocument.text",
            PaperKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            PaperKind::Png => "image/png",
            PaperKind::Jpeg => "image/jpeg",
        }
    }

    /// File name endings it goes by; the first is added to a name that has none of them.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            PaperKind::Pdf => &["pdf"],
            PaperKind::Text => &["txt", "text"],
            PaperKind::Markdown => &["md", "markdown"],
            PaperKind::Odt => &["odt"],
            PaperKind::Docx => &["docx"],
            PaperKind::Png => &["png"],
            PaperKind::Jpeg => &["jpg", "jpeg"],
        }
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            PaperKind::Pdf => "PDF",
            PaperKind::Text => "plain text",
            PaperKind::Markdown => "Markdown",
            PaperKind::Odt => "ODT",
            PaperKind::Docx => "DOCX",
            PaperKind::Png => "PNG",
            PaperKind::Jpeg => "JPEG",
        }
    }

    /// The kind a declared media type names (parameters and case ignored), if accepted.
    pub fn from_content_type(declared: &str) -> Option<PaperKind> {
        let t = declared
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match t.as_str() {
            "text/x-markdown" => Some(PaperKind::Markdown),
            "image/jpg" | "image/pjpeg" => Some(PaperKind::Jpeg),
            _ => PaperKind::ALL.into_iter().find(|k| k.content_type() == t),
        }
    }

    fn from_extension(name: &str) -> Option<PaperKind> {
        let ext = extension(name)?;
        PaperKind::ALL
            .into_iter()
            .find(|k| k.extensions().contains(&ext.as_str()))
    }

    /// Whether the content starts as this kind of file does. PDF, PNG and JPEG have their
    /// own signatures; ODT and DOCX are ZIP packages; text must be UTF-8 without NUL bytes
    /// (so no binary file passes as text).
    fn matches(self, content: &[u8]) -> bool {
        match self {
            PaperKind::Pdf => content.starts_with(b"%PDF-"),
            PaperKind::Png => content.starts_with(b"\x89PNG\r\n\x1a\n"),
            PaperKind::Jpeg => content.starts_with(b"\xFF\xD8\xFF"),
            PaperKind::Odt | PaperKind::Docx => content.starts_with(b"PK\x03\x04"),
            PaperKind::Text | PaperKind::Markdown => {
                !content.contains(&0) && std::str::from_utf8(content).is_ok()
            }
        }
    }
}

/// The lower-case ending after the last dot of a file name, if any.
fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// Characters that reorder or hide text: a name like "report\u{202E}fdp.exe" shows as
/// "reportexe.pdf". They never belong in a file name.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A file name safe to store and to offer for download: no folders, no control or
/// invisible characters, none that file systems refuse, at most 120 characters, and ending
/// as its kind does ("minutes" circulated as a PDF becomes "minutes.pdf").
pub fn sanitise_filename(raw: &str, kind: PaperKind) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name = String::with_capacity(base.len());
    let mut space = false;
    for c in base.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if c.is_control() || invisible(c) {
            continue;
        }
        if space && !name.is_empty() {
            name.push(' ');
        }
        space = false;
        name.push(match c {
            '"' | '*' | ':' | '<' | '>' | '?' | '|' | ';' => '_',
            c => c,
        });
    }
    let name = name.trim_matches(|c: char| c == '.' || c == ' ');
    let name = if name.is_empty() { "paper" } else { name };
    let fits = extension(name).is_some_and(|e| kind.extensions().contains(&e.as_str()));
    let (stem, ending) = if fits {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        (stem, format!(".{ext}"))
    } else {
        (name, format!(".{}", kind.extensions()[0]))
    };
    let room = MAX_FILENAME.saturating_sub(ending.chars().count());
    let stem: String = stem.chars().take(room).collect();
    format!("{}{ending}", stem.trim_end_matches([' ', '.']))
}

/// Checks an upload and says what it is: its kind (from its declared type, or from its
/// name when the browser only said `application/octet-stream`) must be one Charter accepts
/// and its first bytes must agree; it must not be empty or larger than 5 MB.
pub fn vet_paper(
    filename: &str,
    declared_type: &str,
    content: &[u8],
) -> Result<(String, PaperKind), FieldErrors> {
    let mut errs = FieldErrors::default();
    let accepted = "a paper may be a PDF, plain text, Markdown, ODT, DOCX, PNG or JPEG file";
    let declared = declared_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let kind = match PaperKind::from_content_type(&declared) {
        Some(k) => Some(k),
        None if declared.is_empty() || declared == "application/octet-stream" => {
            PaperKind::from_extension(filename.trim())
        }
        None => None,
    };
    if content.is_empty() {
        errs.add("file", "the file is empty: choose the paper to circulate");
    } else if content.len() > MAX_PAPER_BYTES {
        errs.add(
            "file",
            format!(
                "the file is {}; a paper may be at most 5 MB",
                size_label(content.len() as u64)
            ),
        );
    }
    match kind {
        None if declared.is_empty() || declared == "application/octet-stream" => errs.add(
            "file",
            format!("{accepted}; the type of this one is not known from its name"),
        ),
        None => errs.add("file", format!("{accepted}, not {declared}")),
        Some(k) if !content.is_empty() && !k.matches(content) => errs.add(
            "file",
            format!(
                "the file is sent as {} but its content is not {}: check it is the right file",
                k.label(),
                k.label()
            ),
        ),
        Some(_) => {}
    }
    match kind {
        Some(k) if errs.is_empty() => Ok((sanitise_filename(filename, k), k)),
        _ => Err(errs),
    }
}

/// A size as people read it: "812 bytes", "14 KB", "2.4 MB" (1 KB = 1,024 bytes).
pub fn size_label(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// A meeting's agenda as one member sees it, with what they may change.
#[derive(Debug, Clone)]
pub struct AgendaView {
    pub meeting: MeetingRecord,
    /// In order, each with its papers (withdrawn ones too, marked).
    pub items: Vec<AgendaItemRecord>,
    /// The reader runs the meeting and it has not started: items may change.
    pub may_change_items: bool,
    /// The reader runs the meeting and it has not ended: papers may circulate or be withdrawn.
    pub may_circulate: bool,
}

/// A paper to download: its record and its content exactly as circulated.
#[derive(Debug, Clone)]
pub struct PaperFile {
    pub record: PaperRecord,
    pub content: Vec<u8>,
}

/// An item's title and description, checked; problems are added to `errs`.
fn vet_item(
    title: &str,
    description: Option<&str>,
    errs: &mut FieldErrors,
) -> (String, Option<String>) {
    let title = title.trim();
    if title.is_empty() {
        errs.add(
            "title",
            "give the item a title, e.g. 'Apologies for absence'",
        );
    } else if title.chars().count() > MAX_ITEM_TITLE {
        errs.add("title", "the title is longer than 200 characters");
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    if description.is_some_and(|d| d.chars().count() > MAX_ITEM_DESCRIPTION) {
        errs.add(
            "description",
            "the description is longer than 2,000 characters",
        );
    }
    (title.to_string(), description.map(str::to_string))
}

fn cancelled(m: &MeetingRecord) -> Result<(), AppError> {
    if m.state == MeetingState::Cancelled {
        return Err(AppError::Conflict {
            field: "meeting".into(),
            message: "this meeting was cancelled".into(),
        });
    }
    Ok(())
}

impl App {
    /// A meeting's agenda and papers; every member may read them.
    pub async fn agenda(&self, actor: &Actor, meeting: MeetingId) -> Result<AgendaView, AppError> {
        let mut m = self.meeting_record(meeting).await?;
        let mut items = self.store.agenda(meeting).await?;
        let runs = self.meeting_authority(actor, m.unit).await?.is_some();
        // As `App::entitled_to_papers`, with the officers' half already known.
        if !runs && self.store.invitee(m.id, actor.member).await?.is_none() {
            m.online_url = None;
            for item in &mut items {
                item.papers.clear();
            }
        }
        let now = self.clock.now();
        let open = m.state != MeetingState::Cancelled;
        Ok(AgendaView {
            may_change_items: runs && open && now < m.starts_at,
            may_circulate: runs && open && now <= m.ends_at,
            meeting: m,
            items,
        })
    }

    /// The office by which `actor` changes meeting `m`'s agenda, if the agenda may still
    /// change; else the refusal.
    async fn agenda_officer(
        &self,
        actor: &Actor,
        m: &MeetingRecord,
    ) -> Result<HeldOffice, AppError> {
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting may change its agenda",
            )
            .await?;
        cancelled(m)?;
        if self.clock.now() >= m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "the meeting started at {}: its agenda is fixed",
                    m.starts_at.format("%H:%M on %-d %B %Y")
                ),
            });
        }
        Ok(office)
    }

    /// The office by which `actor` circulates or withdraws meeting `m`'s papers, while it
    /// has not ended; else the refusal.
    async fn papers_officer(
        &self,
        actor: &Actor,
        m: &MeetingRecord,
    ) -> Result<HeldOffice, AppError> {
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting may circulate or withdraw its papers",
            )
            .await?;
        cancelled(m)?;
        if self.clock.now() > m.ends_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has ended: its papers are part of its record".into(),
            });
        }
        Ok(office)
    }

    /// An item on the agenda (taken-off items are refused as no longer there) and its meeting.
    async fn live_item(
        &self,
        item: AgendaItemId,
    ) -> Result<(AgendaItemRecord, MeetingRecord), AppError> {
        let it = self
            .store
            .agenda_item(item)
            .await?
            .ok_or(AppError::NotFound("agenda item"))?;
        let m = self.meeting_record(it.meeting).await?;
        Ok((it, m))
    }

    fn refuse_removed(it: &AgendaItemRecord) -> Result<(), AppError> {
        if it.removed_at.is_some() {
            return Err(AppError::Conflict {
                field: "item".into(),
                message: "this item was taken off the agenda".into(),
            });
        }
        Ok(())
    }

    /// Puts an item at the end of a meeting's agenda; returns its id.
    pub async fn add_agenda_item(
        &self,
        actor: &Actor,
        meeting: MeetingId,
        title: &str,
        description: Option<&str>,
    ) -> Result<AgendaItemId, AppError> {
        let m = self.meeting_record(meeting).await?;
        let office = self.agenda_officer(actor, &m).await?;
        let mut errs = FieldErrors::default();
        let (title, description) = vet_item(title, description, &mut errs);
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "agenda.item_added",
            format!("meeting:{meeting}"),
            json!({ "meeting": meeting, "title": title, "description": description }),
            &title,
        );
        self.store
            .add_agenda_item(
                &NewAgendaItem {
                    meeting,
                    title: title.clone(),
                    description,
                    added_by: Some(actor.member),
                },
                &event,
            )
            .await
            .map_err(stale_is_conflict("meeting"))
    }

    /// Rewords an item and, when `position` is given, moves it there (1 is first).
    pub async fn change_agenda_item(
        &self,
        actor: &Actor,
        item: AgendaItemId,
        title: &str,
        description: Option<&str>,
        position: Option<i64>,
    ) -> Result<(), AppError> {
        let (it, m) = self.live_item(item).await?;
        let office = self.agenda_officer(actor, &m).await?;
        Self::refuse_removed(&it)?;
        let mut errs = FieldErrors::default();
        let (title, description) = vet_item(title, description, &mut errs);
        if let Some(p) = position {
            let len = i64::try_from(self.store.agenda(m.id).await?.len()).unwrap_or(i64::MAX);
            if p < 1 || p > len {
                errs.add(
                    "position",
                    format!(
                        "the agenda has {len} item{}: choose a position from 1 to {len}",
                        if len == 1 { "" } else { "s" }
                    ),
                );
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "agenda.item_changed",
            format!("meeting:{}", m.id),
            json!({
                "meeting": m.id,
                "item": item,
                "title": title,
                "description": description,
                "from": it.number,
                "to": position.or(it.number),
            }),
            &title,
        );
        self.store
            .change_agenda_item(
                item,
                &AgendaItemChange {
                    title,
                    description,
                    position,
                },
                &event,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict { field, message } if field == "position" => {
                    AppError::invalid("position", message)
                }
                other => stale_is_conflict("item")(other),
            })
    }

    /// Moves an item to `position` (1 is first) without rewording it.
    pub async fn move_agenda_item(
        &self,
        actor: &Actor,
        item: AgendaItemId,
        position: i64,
    ) -> Result<(), AppError> {
        let (it, _) = self.live_item(item).await?;
        self.change_agenda_item(
            actor,
            item,
            &it.title,
            it.description.as_deref(),
            Some(position),
        )
        .await
    }

    /// Takes an item off the agenda before the meeting starts; it is kept for the record.
    /// Its papers must be withdrawn first, so nothing circulated silently disappears.
    pub async fn remove_agenda_item(
        &self,
        actor: &Actor,
        item: AgendaItemId,
    ) -> Result<(), AppError> {
        let (it, m) = self.live_item(item).await?;
        let office = self.agenda_officer(actor, &m).await?;
        Self::refuse_removed(&it)?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "agenda.item_removed",
            format!("meeting:{}", m.id),
            json!({ "meeting": m.id, "item": item, "number": it.number }),
            &it.title,
        );
        self.store
            .remove_agenda_item(item, &event)
            .await
            .map_err(stale_is_conflict("item"))
    }

    /// Circulates a paper for an item on the agenda, until the meeting ends. Returns it as
    /// recorded, with its SHA-256.
    pub async fn circulate_paper(
        &self,
        actor: &Actor,
        item: AgendaItemId,
        filename: &str,
        content_type: &str,
        content: Vec<u8>,
    ) -> Result<PaperRecord, AppError> {
        let (it, m) = self.live_item(item).await?;
        let office = self.papers_officer(actor, &m).await?;
        Self::refuse_removed(&it)?;
        let (filename, kind) = vet_paper(filename, content_type, &content)?;
        let sha256 = hex::encode(Sha256::digest(&content));
        let event = self.event(
            event_actor(actor, Some(&office)),
            "paper.circulated",
            format!("meeting:{}", m.id),
            json!({
                "meeting": m.id,
                "item": item,
                "filename": filename,
                "content_type": kind.content_type(),
                "size": content.len(),
                "sha256": sha256,
            }),
            &filename,
        );
        let id = self
            .store
            .circulate_paper(
                &NewPaper {
                    item,
                    filename,
                    content_type: kind.content_type().to_string(),
                    sha256,
                    content,
                    circulated_by: Some(actor.member),
                },
                &event,
            )
            .await
            .map_err(stale_is_conflict("item"))?;
        self.store
            .paper(id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("paper {id} vanished once circulated")))
    }

    /// A paper with its content, for any member (withdrawn ones too: they are on record).
    pub async fn paper(&self, actor: &Actor, paper: PaperId) -> Result<PaperFile, AppError> {
        let (record, content) = self
            .store
            .paper_content(paper)
            .await?
            .ok_or(AppError::NotFound("paper"))?;
        let m = self.meeting_record(record.meeting).await?;
        if !self.entitled_to_papers(actor, &m).await? {
            return Err(AppError::Forbidden(
                "this meeting's papers go to those invited to it and the officers running it"
                    .into(),
            ));
        }
        Ok(PaperFile { record, content })
    }

    /// Withdraws a paper, until the meeting ends. It is kept, marked withdrawn.
    pub async fn withdraw_paper(&self, actor: &Actor, paper: PaperId) -> Result<(), AppError> {
        let p = self
            .store
            .paper(paper)
            .await?
            .ok_or(AppError::NotFound("paper"))?;
        let m = self.meeting_record(p.meeting).await?;
        let office = self.papers_officer(actor, &m).await?;
        if p.withdrawn_at.is_some() {
            return Err(AppError::Conflict {
                field: "paper".into(),
                message: "this paper was already withdrawn".into(),
            });
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "paper.withdrawn",
            format!("meeting:{}", m.id),
            json!({ "meeting": m.id, "item": p.item, "paper": paper, "sha256": p.sha256 }),
            &p.filename,
        );
        self.store
            .withdraw_paper(paper, Some(actor.member), &event)
            .await
            .map_err(stale_is_conflict("paper"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF";
    const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0";

    #[test]
    fn accepted_kinds_pass_with_their_signatures() {
        for (name, declared, content, kind) in [
            ("report.pdf", "application/pdf", PDF, PaperKind::Pdf),
            (
                "a.txt",
                "text/plain; charset=utf-8",
                b"Hello\n".as_slice(),
                PaperKind::Text,
            ),
            (
                "notes.md",
                "text/markdown",
                b"# Notes\n".as_slice(),
                PaperKind::Markdown,
            ),
            (
                "notes.md",
                "text/x-markdown",
                b"# Notes\n".as_slice(),
                PaperKind::Markdown,
            ),
            (
                "plan.odt",
                "application/vnd.oasis.opendocument.text",
                ZIP,
                PaperKind::Odt,
            ),
            (
                "plan.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ZIP,
                PaperKind::Docx,
            ),
            ("map.png", "IMAGE/PNG", PNG, PaperKind::Png),
            ("photo.jpeg", "image/jpeg", JPEG, PaperKind::Jpeg),
            // A browser that does not know the type says octet-stream: the name decides.
            (
                "notes.md",
                "application/octet-stream",
                b"# Notes\n".as_slice(),
                PaperKind::Markdown,
            ),
            ("report.PDF", "", PDF, PaperKind::Pdf),
        ] {
            let (_, k) = vet_paper(name, declared, content)
                .unwrap_or_else(|e| panic!("{name} ({declared}) refused: {e}"));
            assert_eq!(k, kind, "{name}");
        }
    }

    #[test]
    fn wrong_types_and_disguised_files_are_refused_with_a_reason() {
        for (name, declared, content, says) in [
            (
                "page.html",
                "text/html",
                b"<script>".as_slice(),
                "not text/html",
            ),
            (
                "run.exe",
                "application/octet-stream",
                b"MZ\x90\0".as_slice(),
                "not known from its name",
            ),
            (
                "fake.pdf",
                "application/pdf",
                b"MZ\x90\0 not a pdf".as_slice(),
                "content is not PDF",
            ),
            ("fake.png", "image/png", JPEG, "content is not PNG"),
            ("fake.jpg", "image/jpeg", PNG, "content is not JPEG"),
            (
                "fake.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                PDF,
                "content is not DOCX",
            ),
            (
                "bin.txt",
                "text/plain",
                b"abc\0def".as_slice(),
                "content is not plain text",
            ),
            (
                "latin1.txt",
                "text/plain",
                b"caf\xE9".as_slice(),
                "content is not plain text",
            ),
            ("empty.pdf", "application/pdf", b"".as_slice(), "empty"),
        ] {
            let errs = vet_paper(name, declared, content).unwrap_err();
            let msg = errs
                .0
                .get("file")
                .unwrap_or_else(|| panic!("{name}: {errs}"));
            assert!(msg.contains(says), "{name}: {msg}");
        }
        let mut big = PDF.to_vec();
        big.resize(MAX_PAPER_BYTES + 1, b' ');
        let errs = vet_paper("big.pdf", "application/pdf", &big).unwrap_err();
        assert!(errs.0["file"].contains("at most 5 MB"), "{errs}");
        big.truncate(MAX_PAPER_BYTES);
        assert!(vet_paper("big.pdf", "application/pdf", &big).is_ok());
    }

    #[test]
    fn file_names_are_made_safe_and_end_as_their_kind() {
        for (raw, kind, safe) in [
            ("report.pdf", PaperKind::Pdf, "report.pdf"),
            (
                "C:\\Users\\ann\\Agenda 2027.PDF",
                PaperKind::Pdf,
                "Agenda 2027.PDF",
            ),
            ("../../etc/passwd", PaperKind::Text, "passwd.txt"),
            ("  a\tb\n  c .txt  ", PaperKind::Text, "a b c.txt"),
            ("report\u{202E}fdp.exe", PaperKind::Pdf, "reportfdp.exe.pdf"),
            (
                "q\"u:o*t<e>s?|;.md",
                PaperKind::Markdown,
                "q_u_o_t_e_s___.md",
            ),
            ("...", PaperKind::Png, "paper.png"),
            ("", PaperKind::Jpeg, "paper.jpg"),
            ("minutes", PaperKind::Docx, "minutes.docx"),
            (".hidden.txt", PaperKind::Text, "hidden.txt"),
        ] {
            assert_eq!(sanitise_filename(raw, kind), safe, "{raw:?}");
        }
        let long = format!("{}.pdf", "x".repeat(400));
        let name = sanitise_filename(&long, PaperKind::Pdf);
        assert_eq!(name.chars().count(), MAX_FILENAME);
        assert!(name.ends_with("x.pdf"), "{name}");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_label(0), "0 bytes");
        assert_eq!(size_label(812), "812 bytes");
        assert_eq!(size_label(1024), "1 KB");
        assert_eq!(size_label(14 * 1024 + 1), "15 KB");
        assert_eq!(size_label(5 * 1024 * 1024), "5.0 MB");
        assert_eq!(size_label(2_500_000), "2.4 MB");
    }
}
