//! GitHub: classic branch protection and the rulesets that apply to the branch, their union
//! (FORGE-SEMANTICS §5–6). octocrab has no typed API for either: raw GETs.

use super::{Fetched, RemoteError, RemoteSpec, pages, parse_as, repo_url, segment, status_error};
use crate::forge::protection::{Protection, Shape};

fn parse(body: &str, url: &str, spec: &RemoteSpec) -> Result<Protection, RemoteError> {
    let shapes = [
        Shape::GithubClassic,
        Shape::GithubRulesets,
        Shape::GithubCombined,
    ];
    parse_as(body, url, spec, &shapes, "GitHub")
}

pub async fn fetch(spec: &RemoteSpec) -> Result<Fetched, RemoteError> {
    let client = spec.client()?;
    let base = repo_url(spec);
    let branch = segment(&spec.branch);
    let mut sources = Vec::new();

    let classic_url = format!("{base}/branches/{branch}/protection");
    let a = client.get(&classic_url).await?;
    let classic = match a.status {
        200 => {
            sources.push("branch protection".to_owned());
            Some(parse(&a.body, &classic_url, spec)?)
        }
        404 if a.message().as_deref() == Some("Branch not protected") => {
            sources.push("no classic branch protection".to_owned());
            None
        }
        403 => {
            // The token may not read protection (it needs admin): the branch itself shows the
            // required checks to any reader.
            let url = format!("{base}/branches/{branch}");
            let b = client.get(&url).await?;
            if b.status != 200 {
                return Err(status_error(
                    spec,
                    &url,
                    &b,
                    "read access to the repository",
                ));
            }
            sources.push(format!(
                "branches/{} (the token cannot read branch protection: it needs admin rights)",
                spec.branch
            ));
            Some(parse(&b.body, &url, spec)?)
        }
        _ => {
            return Err(status_error(
                spec,
                &classic_url,
                &a,
                "reading branch protection needs admin rights on the repository",
            ));
        }
    };

    let mut rules: Vec<Protection> = Vec::new();
    let first = format!("{base}/rules/branches/{branch}?per_page=100");
    let mut requests = 0;
    pages(
        &client,
        spec,
        first,
        "rulesets",
        "read access to the repository",
        &mut requests,
        |body, url| {
            rules.push(parse(body, url, spec)?);
            Ok(())
        },
    )
    .await?;
    let ruleset_contexts: usize = rules.iter().map(|r| r.required.len()).sum();
    sources.push(format!(
        "rulesets ({} pages, {ruleset_contexts} required checks)",
        rules.len()
    ));

    let mut all: Vec<Protection> = classic.into_iter().collect();
    all.extend(rules);
    let protection = Protection::union(all, &classic_url, Shape::GithubCombined);
    Ok(Fetched {
        protection,
        source: sources.join(" + "),
    })
}
