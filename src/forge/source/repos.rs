//! `gatelint audit`: many repositories of one server read from the API alone, without
//! cloning: the organisation's repository list, each repository's workflow files (the
//! contents API: one listing and the files) and its protection, as `--remote` reads it.
//!
//! Every repository's answers are untrusted: names of files that are not plain path
//! components are not used as paths, files over [`MAX_WORKFLOW_BYTES`] are not read, more than
//! [`MAX_WORKFLOW_FILES`] files are refused, and no text from them is shown but through the
//! findings the analysis makes of it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;

use super::{Fetched, RemoteError, RemoteSpec, http, repo_url, segment, status_error, text};
use crate::discover::{MemEntry, MemTree};
use crate::forge::Forge;

/// Repositories listed at most (pages of 100 on GitHub, 50 on Gitea).
pub const MAX_REPOSITORIES: usize = 20_000;
/// Workflow files read at most in one repository.
pub const MAX_WORKFLOW_FILES: usize = 500;
/// The largest workflow file read through the contents API (GitHub's contents API sends no
/// content for larger files).
pub const MAX_WORKFLOW_BYTES: usize = 1 << 20;
/// Sub-folders of a Gitea or Forgejo workflows folder listed at most in one repository.
const MAX_SUBFOLDERS: usize = 20;
/// How deep those sub-folders may be (as deep as `check` searches a work tree).
const MAX_DEPTH: usize = 16;

/// A repository of the list, with what decides whether it is audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoInfo {
    pub owner: String,
    pub name: String,
    pub default_branch: Option<String>,
    pub archived: bool,
    pub fork: bool,
    pub empty: bool,
}

impl RepoInfo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Just a name, nothing known of it (a `--repos` line read with `--branch`).
    pub fn named(owner: &str, name: &str) -> RepoInfo {
        RepoInfo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            default_branch: None,
            archived: false,
            fork: false,
            empty: false,
        }
    }
}

/// A repository owner or name as the forges allow them: ASCII letters, digits, `-`, `_`,
/// `.`, at most 100 characters, not `.` or `..`.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn repo_of(v: &Json, forge: Forge) -> Option<RepoInfo> {
    let full = v.get("full_name")?.as_str()?;
    let (owner, name) = full.split_once('/')?;
    if !valid_name(owner) || !valid_name(name) {
        return None;
    }
    let flag = |k: &str| v.get(k).and_then(Json::as_bool).unwrap_or(false);
    let empty = match forge {
        // GitHub's list has no `empty`, and its `size` stays 0 for a while after the first
        // push: the GraphQL query's `isEmpty` says it, or the repository is read.
        Forge::Github => false,
        Forge::Gitea | Forge::Forgejo => flag("empty"),
    };
    Some(RepoInfo {
        owner: owner.to_owned(),
        name: name.to_owned(),
        default_branch: v
            .get("default_branch")
            .and_then(Json::as_str)
            .filter(|b| !b.is_empty())
            .map(str::to_owned),
        archived: flag("archived"),
        fork: flag("fork"),
        empty,
    })
}

/// Every repository of `org` (an organisation, else a user of that name), sorted by name.
/// `spec` names the server; its owner and repository are not used.
pub async fn list(
    client: &http::Client,
    spec: &RemoteSpec,
    org: &str,
) -> Result<Vec<RepoInfo>, RemoteError> {
    let (per_page, size) = match spec.forge {
        Forge::Github => ("per_page", 100),
        Forge::Gitea | Forge::Forgejo => ("limit", 50),
    };
    let mut out: Vec<RepoInfo> = Vec::new();
    let mut url = format!("{}/orgs/{}/repos?{per_page}={size}", spec.api, segment(org));
    let mut tried_user = false;
    let mut page = 1;
    loop {
        let a = client.get(&url).await?;
        if a.status == 404 && !tried_user && out.is_empty() {
            // Not an organisation: a user's repositories.
            tried_user = true;
            url = format!(
                "{}/users/{}/repos?{per_page}={size}",
                spec.api,
                segment(org)
            );
            continue;
        }
        if a.status != 200 {
            let mut e = status_error(
                spec,
                &url,
                &a,
                "read access to the organisation's repositories",
            );
            if a.status == 404 {
                e = RemoteError::new(format!(
                    "GET {url}: HTTP 404: no organisation or user `{}` on {}",
                    text::shown(org),
                    spec.server
                ));
            }
            return Err(e);
        }
        let list: Vec<Json> = serde_json::from_str(&a.body).map_err(|e| {
            RemoteError::new(format!(
                "GET {url}: the answer is not the expected list of repositories ({})",
                text::shown(&e.to_string())
            ))
        })?;
        let n = list.len();
        for v in &list {
            let Some(r) = repo_of(v, spec.forge) else {
                return Err(RemoteError::new(format!(
                    "GET {url}: a repository in the list has no valid `full_name` (OWNER/NAME of letters, digits, `-`, `_`, `.`)"
                )));
            };
            out.push(r);
        }
        if out.len() > MAX_REPOSITORIES {
            return Err(RemoteError::new(format!(
                "more than {MAX_REPOSITORIES} repositories in `{}`: give the ones to audit with --repos FILE",
                text::shown(org)
            )));
        }
        let next = match a.next_page() {
            Some(next) if !http::same_origin(&spec.api, &next) => {
                return Err(RemoteError::new(format!(
                    "GET {url}: the next page of repositories is at `{}`, not on the API's own scheme, host and port ({}): refusing to follow it",
                    text::shown(&next),
                    spec.api
                )));
            }
            Some(next) => Some(next),
            // Gitea before 1.? sends no Link header: a full page asks for the next.
            None if spec.forge != Forge::Github && n == size => {
                let base = url.split("&page=").next().unwrap_or(&url).to_owned();
                page += 1;
                Some(format!("{base}&page={page}"))
            }
            None => None,
        };
        match next {
            Some(next) if n > 0 => url = next,
            _ => break,
        }
    }
    out.sort_by_key(RepoInfo::full_name);
    out.dedup_by_key(|r| r.full_name());
    Ok(out)
}

/// One repository's own record (`GET /repos/{owner}/{repo}`): its default branch and flags.
pub async fn info(client: &http::Client, spec: &RemoteSpec) -> Result<RepoInfo, RemoteError> {
    let url = repo_url(spec);
    let a = client.get(&url).await?;
    if a.status != 200 {
        return Err(status_error(
            spec,
            &url,
            &a,
            "read access to the repository",
        ));
    }
    let v: Json = serde_json::from_str(&a.body)
        .map_err(|_| RemoteError::new(format!("GET {url}: the answer is not a repository")))?;
    repo_of(&v, spec.forge)
        .filter(|r| {
            r.owner.eq_ignore_ascii_case(&spec.owner) && r.name.eq_ignore_ascii_case(&spec.repo)
        })
        .ok_or_else(|| {
            RemoteError::new(format!(
                "GET {url}: the answer is not repository {}",
                spec.full_name()
            ))
        })
}

/// A repository's workflow files at the head of `spec.branch`, as read.
#[derive(Debug, Default)]
pub struct Workflows {
    /// The folder read, when one exists.
    pub dir: Option<&'static str>,
    pub tree: MemTree,
    /// Requests made.
    pub requests: usize,
}

/// The folders a forge reads workflows from, in its order (FORGE-SEMANTICS §1).
fn folders(forge: Forge) -> &'static [&'static str] {
    match forge {
        Forge::Forgejo => &[
            ".forgejo/workflows",
            ".gitea/workflows",
            ".github/workflows",
        ],
        Forge::Gitea => &[".gitea/workflows", ".github/workflows"],
        Forge::Github => &[".github/workflows"],
    }
}

/// A name the contents API gave that can be a path component here.
pub(crate) fn plain_component(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\\')
        && !name.chars().any(char::is_control)
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

/// The contents API's URL for `path` at `spec.branch`.
fn contents_url(spec: &RemoteSpec, path: &str) -> String {
    let path: Vec<String> = path.split('/').map(segment).collect();
    format!(
        "{}/contents/{}?ref={}",
        repo_url(spec),
        path.join("/"),
        segment(&spec.branch)
    )
}

/// The text of one file from its contents answer, or why it cannot be used.
fn file_text(body: &str) -> Result<String, String> {
    let v: Json = serde_json::from_str(body)
        .map_err(|_| "the contents API answered with something other than a file".to_owned())?;
    if v.get("type").and_then(Json::as_str) != Some("file") {
        return Err("the contents API answered with something other than a file".to_owned());
    }
    let size = v.get("size").and_then(Json::as_u64).unwrap_or(0);
    if size > MAX_WORKFLOW_BYTES as u64 {
        return Err(format!(
            "is larger than {MAX_WORKFLOW_BYTES} bytes ({size}): audit does not read it"
        ));
    }
    let content = v
        .get("content")
        .and_then(Json::as_str)
        .filter(|_| v.get("encoding").and_then(Json::as_str) == Some("base64"))
        .ok_or_else(|| "the contents API sent no base64 content for it".to_owned())?;
    let bytes = super::called::decode_base64(content)
        .ok_or_else(|| "the contents API sent content that is not base64".to_owned())?;
    if bytes.len() > MAX_WORKFLOW_BYTES {
        return Err(format!(
            "is larger than {MAX_WORKFLOW_BYTES} bytes: audit does not read it"
        ));
    }
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())
}

/// One file's text at the head of `spec.branch` through the contents API, or why it cannot
/// be used (too large, not text); an error when the repository cannot be read.
pub async fn read_file(
    client: &http::Client,
    spec: &RemoteSpec,
    path: &str,
) -> Result<Result<String, String>, RemoteError> {
    let url = contents_url(spec, path);
    let a = client.get(&url).await?;
    match a.status {
        200 => Ok(file_text(&a.body)),
        _ => Err(status_error(
            spec,
            &url,
            &a,
            "read access to the repository's contents",
        )),
    }
}

/// The workflow files of the repository of `spec` at the head of its branch: the forge's
/// folders listed in its order (the first that exists is read), then each YAML file (Gitea
/// and Forgejo: in sub-folders too; GitHub reads the folder itself only).
/// Whether the server has Gitea's `file-contents` API (the contents of many files in one
/// answer, Gitea 1.24), as found out once per run.
#[derive(Debug, Default)]
pub struct Batch(std::sync::atomic::AtomicU8);

impl Batch {
    // 0 (the default): not known yet.
    const YES: u8 = 1;
    const NO: u8 = 2;

    fn get(&self) -> u8 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn set(&self, v: u8) {
        self.0.store(v, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Files read in one `file-contents` request at most (the server may answer fewer: the rest
/// are asked again).
const BATCH: usize = 100;

/// The texts of `paths` through `GET …/file-contents` (the `POST` form needs write access),
/// as far as the server answers them; `None` when it has no such API. A file the server
/// leaves out is not in the map: the caller reads it alone.
async fn read_batch(
    client: &http::Client,
    spec: &RemoteSpec,
    paths: &[String],
    batch: &Batch,
    requests: &mut usize,
) -> Result<Option<BTreeMap<String, Result<String, String>>>, RemoteError> {
    if spec.forge == Forge::Github || batch.get() == Batch::NO || paths.is_empty() {
        return Ok(None);
    }
    let mut out = BTreeMap::new();
    let mut left: Vec<&String> = paths.iter().collect();
    while !left.is_empty() {
        let ask: Vec<&String> = left.iter().take(BATCH).copied().collect();
        let body = serde_json::json!({ "files": ask }).to_string();
        let url = format!(
            "{}/file-contents?ref={}&body={}",
            repo_url(spec),
            segment(&spec.branch),
            segment(&body)
        );
        let a = client.get(&url).await?;
        *requests += 1;
        match a.status {
            200 => batch.set(Batch::YES),
            // No such API (several workers may find it out at once).
            404 | 405 if batch.get() != Batch::YES => {
                batch.set(Batch::NO);
                return Ok(None);
            }
            _ => {
                return Err(status_error(
                    spec,
                    &url,
                    &a,
                    "read access to the repository's contents",
                ));
            }
        }
        let answers: Vec<Json> = serde_json::from_str(&a.body).map_err(|_| {
            RemoteError::new(format!("GET {url}: the answer is not a list of files"))
        })?;
        let before = out.len();
        for v in answers.iter().filter(|v| v.is_object()) {
            let Some(path) = v.get("path").and_then(Json::as_str) else {
                continue;
            };
            // A file the server would not send in a batch (too large for it) is read alone.
            if !v.get("content").is_some_and(Json::is_string) {
                continue;
            }
            if let Some(p) = ask.iter().find(|p| p.as_str() == path) {
                out.insert((*p).clone(), file_text(&v.to_string()));
            }
        }
        left.retain(|p| !out.contains_key(*p));
        // Nothing more answered: the rest are read one by one.
        if out.len() == before {
            break;
        }
    }
    Ok(Some(out))
}

/// A folder's listing: `None` when it does not exist, `Some(Err(why))` when the path is not
/// a folder.
async fn list_folder(
    client: &http::Client,
    spec: &RemoteSpec,
    path: &str,
    requests: &mut usize,
) -> Result<Option<Result<Vec<Json>, String>>, RemoteError> {
    let url = contents_url(spec, path);
    let a = client.get(&url).await?;
    *requests += 1;
    match a.status {
        404 => Ok(None),
        200 => Ok(Some(
            serde_json::from_str::<Vec<Json>>(&a.body).map_err(|_| "is not a folder".to_owned()),
        )),
        _ => Err(status_error(
            spec,
            &url,
            &a,
            "read access to the repository's contents",
        )),
    }
}

pub async fn workflows(
    client: &http::Client,
    spec: &RemoteSpec,
    batch: &Batch,
) -> Result<Workflows, RemoteError> {
    let mut out = Workflows::default();
    let mut entries: BTreeMap<String, MemEntry> = BTreeMap::new();
    // YAML files to read, once the folders are listed.
    let mut to_read: Vec<String> = Vec::new();
    for dir in folders(spec.forge) {
        let Some(listed) = list_folder(client, spec, dir, &mut out.requests).await? else {
            continue;
        };
        out.dir = Some(dir);
        // A folder answers with a list; anything else (a file, a link) runs nothing.
        let Ok(listing) = listed else {
            entries.insert(
                (*dir).to_owned(),
                MemEntry::Unreadable("is not a folder".to_owned()),
            );
            break;
        };
        let mut folders_left = vec![((*dir).to_owned(), listing, 0usize)];
        let mut subfolders = 0;
        while let Some((at, listing, depth)) = folders_left.pop() {
            for e in &listing {
                let (Some(name), Some(kind)) = (
                    e.get("name").and_then(Json::as_str),
                    e.get("type").and_then(Json::as_str),
                ) else {
                    return Err(RemoteError::new(format!(
                        "GET {}: an entry of the listing of {at} has no `name` or `type`",
                        contents_url(spec, &at)
                    )));
                };
                if !plain_component(name) {
                    continue;
                }
                let path = format!("{at}/{name}");
                match kind {
                    "file" if is_yaml(name) => {
                        if to_read.len() >= MAX_WORKFLOW_FILES {
                            return Err(RemoteError::new(format!(
                                "more than {MAX_WORKFLOW_FILES} workflow files in {}: audit does not read them all",
                                spec.full_name()
                            )));
                        }
                        to_read.push(path);
                    }
                    "symlink" => {
                        entries.insert(path, MemEntry::Link);
                    }
                    "dir" if spec.forge != Forge::Github => {
                        // Gitea and Forgejo read sub-folders; deeper than check reads them
                        // on disk, the repository is not read (fail closed).
                        if depth + 1 > MAX_DEPTH {
                            return Err(RemoteError::new(format!(
                                "{path} in {} is more than {MAX_DEPTH} folders deep under {dir}: audit does not read it",
                                spec.full_name()
                            )));
                        }
                        subfolders += 1;
                        if subfolders > MAX_SUBFOLDERS {
                            return Err(RemoteError::new(format!(
                                "more than {MAX_SUBFOLDERS} folders under {dir} in {}: audit does not read them all",
                                spec.full_name()
                            )));
                        }
                        let sub = match list_folder(client, spec, &path, &mut out.requests).await? {
                            Some(Ok(sub)) => sub,
                            _ => {
                                return Err(RemoteError::new(format!(
                                    "the folder {path} of {} listed in {dir} cannot be listed",
                                    spec.full_name()
                                )));
                            }
                        };
                        folders_left.push((path, sub, depth + 1));
                    }
                    _ => {}
                }
            }
        }
        break;
    }
    // The files: in one request where the server can (Gitea's file-contents), else one each.
    let mut batched = read_batch(client, spec, &to_read, batch, &mut out.requests)
        .await?
        .unwrap_or_default();
    for path in to_read {
        let read = match batched.remove(&path) {
            Some(read) => read,
            None => {
                out.requests += 1;
                read_file(client, spec, &path).await?
            }
        };
        let entry = match read {
            Ok(t) => MemEntry::Text(Arc::from(t)),
            Err(why) => MemEntry::Unreadable(why),
        };
        entries.insert(path, entry);
    }
    out.tree = MemTree { entries };
    Ok(out)
}

/// Protection as `--remote` reads it, counting requests; GitHub without the rulesets read by
/// id (`ruleset_details`: false), which only `protection-not-enforced` needs.
pub async fn protection(spec: &RemoteSpec, ruleset_details: bool) -> Result<Fetched, RemoteError> {
    match spec.forge {
        Forge::Github => super::github::fetch_with(spec, ruleset_details).await,
        Forge::Gitea | Forge::Forgejo => super::gitea::fetch(spec).await,
    }
}

/// Run `work` on a runtime of this thread (each audit worker has its own).
pub fn block_on<T>(
    spec: &RemoteSpec,
    work: impl std::future::Future<Output = Result<T, RemoteError>>,
) -> Result<T, RemoteError> {
    super::block_on(spec, work)
}
