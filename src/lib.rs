//! gatelint: checks that a CI gate cannot be lost quietly.
//!
//! The stages, each taking only the previous one's output:
//! discover → parse (saphyr events, spans) → model (workflows, jobs, directives)
//! → naming (forge profile: job → contexts) → gates → report.

#![forbid(unsafe_code)]

pub mod analyze;
pub mod audit;
pub mod budget;
pub mod cli;
pub mod config;
pub mod diff;
pub mod discover;
pub mod finding;
pub mod forge;
pub mod history;
pub mod init;
pub mod observed;
pub mod report;
pub mod rules;
pub mod run;
pub mod safe_fs;
pub mod trackers;
pub mod workflow;
pub mod yaml;
