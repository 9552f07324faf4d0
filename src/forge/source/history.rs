//! History (issue 12, item 2): what was posted on the head commits of the last N pull
//! requests merged into the branch (where pull-request contexts are posted: a merge or a
//! squash leaves other commits on the branch) and on the branch's last N commits (where push
//! contexts are). Every commit's statuses are read once (all pages), whatever the number of
//! rules that look at them: at most 2 N commits, plus the listings.

use serde::Deserialize;

use super::statuses::{self, Statuses};
use super::{RemoteError, RemoteSpec, pages_until, repo_url, segment};
use crate::forge::Forge;

/// The most commits of each kind `--history` reads.
pub const MAX_HISTORY: usize = 50;

/// Pages of closed pull requests read at most while looking for N merged ones.
const MAX_PULL_PAGES: usize = 10;

/// Why a commit was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The head commit of a merged pull request (its number).
    PullRequest(u64),
    /// A commit of the branch.
    Branch,
}

/// One commit and what is posted on it.
#[derive(Debug, Clone)]
pub struct Commit {
    pub sha: String,
    pub kind: Kind,
    pub statuses: Statuses,
}

/// The commits read, newest first: pull-request heads, then the branch's commits (a commit
/// that is both is read once, as a pull-request head).
#[derive(Debug, Clone, Default)]
pub struct History {
    pub commits: Vec<Commit>,
    /// Merged pull requests found, and branch commits found.
    pub pull_requests: usize,
    pub branch_commits: usize,
    pub requests: usize,
}

const NEED: &str = "read access to the repository's pull requests, commits and statuses";

#[derive(Deserialize)]
struct PullRef {
    #[serde(default)]
    sha: String,
    #[serde(rename = "ref", default)]
    name: String,
}

#[derive(Deserialize)]
struct Pull {
    number: u64,
    #[serde(default)]
    merged: Option<bool>,
    #[serde(default)]
    merged_at: Option<String>,
    head: PullRef,
    base: PullRef,
}

#[derive(Deserialize)]
struct CommitRef {
    sha: String,
}

/// Read the last `n` merged pull requests' heads and the branch's last `n` commits, and what
/// is posted on each. Runs its own single-threaded runtime.
pub fn fetch(spec: &RemoteSpec, n: usize) -> Result<History, RemoteError> {
    let n = n.clamp(1, MAX_HISTORY);
    super::block_on(spec, read(spec, n))
}

async fn read(spec: &RemoteSpec, n: usize) -> Result<History, RemoteError> {
    let client = spec.client()?;
    let base = repo_url(spec);
    let branch = segment(&spec.branch);
    let mut out = History::default();
    // Merged pull requests into the branch, most recently merged first.
    let first = match spec.forge {
        Forge::Github => {
            format!(
                "{base}/pulls?state=closed&base={branch}&sort=updated&direction=desc&per_page=100"
            )
        }
        Forge::Gitea | Forge::Forgejo => {
            format!("{base}/pulls?state=closed&sort=recentupdate&limit=50")
        }
    };
    let mut merged: Vec<(String, u64, String)> = Vec::new();
    pages_until(
        &client,
        spec,
        first,
        "pull requests",
        NEED,
        &mut out.requests,
        MAX_PULL_PAGES,
        |body, url| {
            let list: Vec<Pull> = serde_json::from_str(body)
                .map_err(|e| super::bad_list(url, "pull requests", &e))?;
            for p in list {
                let was_merged = p.merged.unwrap_or(false) || p.merged_at.is_some();
                if was_merged
                    && p.base.name == spec.branch
                    && statuses::check_sha(&p.head.sha).is_ok()
                {
                    merged.push((p.merged_at.unwrap_or_default(), p.number, p.head.sha));
                }
            }
            Ok(merged.len() >= n)
        },
    )
    .await?;
    // Most recently merged first, by the instant (Gitea writes the server's offset).
    merged.sort_by_key(|m| std::cmp::Reverse(super::issues::utc_seconds(&m.0).unwrap_or(i64::MIN)));
    merged.truncate(n);
    out.pull_requests = merged.len();
    let first = match spec.forge {
        Forge::Github => format!("{base}/commits?sha={branch}&per_page={n}"),
        Forge::Gitea | Forge::Forgejo => format!(
            "{base}/commits?sha={branch}&limit={n}&stat=false&verification=false&files=false"
        ),
    };
    let mut branch_commits: Vec<String> = Vec::new();
    pages_until(
        &client,
        spec,
        first,
        "commits",
        NEED,
        &mut out.requests,
        1,
        |body, url| {
            let list: Vec<CommitRef> =
                serde_json::from_str(body).map_err(|e| super::bad_list(url, "commits", &e))?;
            branch_commits.extend(
                list.into_iter()
                    .map(|c| c.sha)
                    .filter(|s| statuses::check_sha(s).is_ok()),
            );
            Ok(true)
        },
    )
    .await?;
    branch_commits.truncate(n);
    out.branch_commits = branch_commits.len();
    let mut seen = std::collections::HashSet::new();
    let wanted = merged
        .into_iter()
        .map(|(_, number, sha)| (sha, Kind::PullRequest(number)))
        .chain(branch_commits.into_iter().map(|sha| (sha, Kind::Branch)));
    for (sha, kind) in wanted {
        if !seen.insert(sha.clone()) {
            continue;
        }
        let s = statuses::read(spec, &sha).await?;
        out.requests += s.requests;
        out.commits.push(Commit {
            sha,
            kind,
            statuses: s,
        });
    }
    Ok(out)
}
