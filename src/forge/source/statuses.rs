//! What the forge posted on a commit (issue 12): Gitea/Forgejo commit statuses, GitHub check
//! runs and commit statuses. Every page is read once (the `Link: rel="next"` chain on the
//! API's own origin, at most [`super::MAX_PAGES`]); each context keeps its latest state.

use serde::Deserialize;

use super::{RemoteError, RemoteSpec, pages, repo_url, text};
use crate::forge::Forge;

/// Who posted a context.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Poster {
    /// A commit status (Gitea, Forgejo, GitHub's statuses API).
    Status,
    /// A GitHub check run, with the app that created it (`github-actions`).
    CheckRun { app: Option<String> },
}

/// One context as the forge shows it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub context: String,
    /// `pending`, `success`, `failure`, `error`, `skipped`, `warning` (Gitea); check runs:
    /// `queued`/`in_progress` as `pending`, else the conclusion (`success`, `failure`,
    /// `neutral`, `cancelled`, `skipped`, `timed_out`, `action_required`, `stale`).
    pub state: String,
    pub poster: Poster,
    /// Where the run's details are, when the forge says.
    pub url: Option<String>,
}

impl Posted {
    /// Posted by the repository's workflows: on GitHub a check run of the Actions app, on
    /// Gitea and Forgejo a status in the Actions form, `{workflow} / {job} ({event})`.
    pub fn by_actions(&self, forge: Forge) -> bool {
        match (&self.poster, forge) {
            (Poster::CheckRun { app }, Forge::Github) => app.as_deref() == Some("github-actions"),
            (Poster::Status, Forge::Gitea | Forge::Forgejo) => {
                self.context.contains(" / ")
                    && ["(push)", "(pull_request)", "(pull_request_target)"]
                        .iter()
                        .any(|e| self.context.ends_with(e))
            }
            _ => false,
        }
    }
}

/// Everything posted on one commit, and how many requests it took.
#[derive(Debug, Clone, Default)]
pub struct Statuses {
    pub posted: Vec<Posted>,
    pub requests: usize,
}

impl Statuses {
    /// Is every posted context settled (none `pending`)?
    pub fn settled(&self) -> bool {
        self.posted.iter().all(|p| p.state != "pending")
    }

    /// Every posted context, for lookups many at a time.
    pub fn contexts(&self) -> std::collections::HashSet<&str> {
        self.posted.iter().map(|p| p.context.as_str()).collect()
    }

    pub fn get(&self, context: &str) -> Option<&Posted> {
        self.posted.iter().find(|p| p.context == context)
    }
}

/// A commit id as the forges print it: 40 (SHA-1) or 64 (SHA-256) hex digits. Anything else
/// is refused before it reaches a URL.
pub fn check_sha(sha: &str) -> Result<(), RemoteError> {
    if (sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(RemoteError::new(format!(
            "`{}` is not a commit id (40 or 64 hex digits)",
            text::shown(sha)
        )))
    }
}

/// What a token needs to read them (for the 401/403 message).
const STATUSES: &str = "read access to the repository's commit statuses";

#[derive(Deserialize)]
struct GiteaStatus {
    #[serde(default)]
    id: u64,
    context: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    target_url: Option<String>,
}

#[derive(Deserialize)]
struct GithubCombined {
    #[serde(default)]
    statuses: Vec<GithubStatus>,
}

#[derive(Deserialize)]
struct GithubStatus {
    context: String,
    state: String,
    #[serde(default)]
    target_url: Option<String>,
}

#[derive(Deserialize)]
struct GithubCheckRuns {
    #[serde(default)]
    check_runs: Vec<GithubCheckRun>,
}

#[derive(Deserialize)]
struct GithubCheckRun {
    #[serde(default)]
    id: u64,
    name: String,
    status: String,
    #[serde(default)]
    conclusion: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    app: Option<GithubApp>,
}

#[derive(Deserialize)]
struct GithubApp {
    #[serde(default)]
    slug: Option<String>,
}

/// The latest status of each (context, poster), in the order first seen: a map from the key to
/// its place, so a server sending hundreds of thousands of statuses costs linear time.
#[derive(Default)]
struct Latest {
    list: Vec<(u64, Posted)>,
    at: std::collections::HashMap<(String, Poster), usize>,
}

impl Latest {
    /// Keep `posted` unless a later one (a higher id) of the same context and poster is kept.
    fn keep(&mut self, id: u64, posted: Posted) {
        let key = (posted.context.clone(), posted.poster.clone());
        match self.at.get(&key).and_then(|&i| self.list.get_mut(i)) {
            Some(slot) if slot.0 < id => *slot = (id, posted),
            Some(_) => {}
            None => {
                self.at.insert(key, self.list.len());
                self.list.push((id, posted));
            }
        }
    }

    fn into_posted(self) -> impl Iterator<Item = Posted> {
        self.list.into_iter().map(|(_, p)| p)
    }
}

/// What is posted on `sha` now. Runs its own single-threaded runtime.
pub fn fetch(spec: &RemoteSpec, sha: &str) -> Result<Statuses, RemoteError> {
    check_sha(sha)?;
    super::block_on(spec, read(spec, sha))
}

/// What is posted on `sha` now, on the caller's runtime (errors not yet scrubbed).
pub(super) async fn read(spec: &RemoteSpec, sha: &str) -> Result<Statuses, RemoteError> {
    check_sha(sha)?;
    match spec.forge {
        Forge::Github => github(spec, sha).await,
        Forge::Gitea | Forge::Forgejo => gitea(spec, sha).await,
    }
}

async fn gitea(spec: &RemoteSpec, sha: &str) -> Result<Statuses, RemoteError> {
    let client = spec.client()?;
    let mut out = Statuses::default();
    // The latest status per context: the highest id.
    let mut latest = Latest::default();
    let first = format!("{}/commits/{sha}/statuses?limit=50", repo_url(spec));
    pages(
        &client,
        spec,
        first,
        "commit statuses",
        STATUSES,
        &mut out.requests,
        |body, url| {
            let list: Vec<GiteaStatus> =
                serde_json::from_str(body).map_err(|e| super::bad_list(url, "statuses", &e))?;
            for s in list {
                let state = s.status.or(s.state).unwrap_or_default();
                let posted = Posted {
                    context: s.context,
                    state,
                    poster: Poster::Status,
                    url: s.target_url.filter(|u| !u.is_empty()),
                };
                latest.keep(s.id, posted);
            }
            Ok(())
        },
    )
    .await?;
    out.posted = latest.into_posted().collect();
    Ok(out)
}

async fn github(spec: &RemoteSpec, sha: &str) -> Result<Statuses, RemoteError> {
    let client = spec.client()?;
    let base = repo_url(spec);
    let mut out = Statuses::default();
    // Check runs: the latest run of each name (a re-run replaces it).
    let mut runs = Latest::default();
    let first = format!("{base}/commits/{sha}/check-runs?per_page=100&filter=latest");
    pages(
        &client,
        spec,
        first,
        "check runs",
        STATUSES,
        &mut out.requests,
        |body, url| {
            let page: GithubCheckRuns =
                serde_json::from_str(body).map_err(|e| super::bad_list(url, "statuses", &e))?;
            for r in page.check_runs {
                let state = if r.status == "completed" {
                    r.conclusion.unwrap_or_else(|| "neutral".to_owned())
                } else {
                    "pending".to_owned()
                };
                let app = r.app.and_then(|a| a.slug);
                let posted = Posted {
                    context: r.name,
                    state,
                    poster: Poster::CheckRun { app },
                    url: r.html_url,
                };
                runs.keep(r.id, posted);
            }
            Ok(())
        },
    )
    .await?;
    out.posted.extend(runs.into_posted());
    // Commit statuses: the combined status lists the latest per context.
    let first = format!("{base}/commits/{sha}/status?per_page=100");
    pages(
        &client,
        spec,
        first,
        "commit statuses",
        STATUSES,
        &mut out.requests,
        |body, url| {
            let page: GithubCombined =
                serde_json::from_str(body).map_err(|e| super::bad_list(url, "statuses", &e))?;
            out.posted.extend(page.statuses.into_iter().map(|s| Posted {
                context: s.context,
                state: s.state,
                poster: Poster::Status,
                url: s.target_url,
            }));
            Ok(())
        },
    )
    .await?;
    Ok(out)
}
