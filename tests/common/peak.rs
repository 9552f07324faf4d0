//! A child process's own peak resident memory (`VmHWM` in `/proc/PID/status`, Linux), read
//! while it runs: `getrusage` would count what the child inherited from this process before
//! `exec`. Shared by tests/streaming.rs and benches/audit.rs.
#![allow(dead_code)]

use std::process::Child;
use std::time::{Duration, Instant};

/// Wait for `child` (killed after `kill_after`, if given), reading its peak memory every
/// 5 ms: its exit code (-1 when killed) and the peak in KB.
pub fn wait_measured(child: &mut Child, kill_after: Option<Duration>) -> (i32, u64) {
    let start = Instant::now();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kb: u64 = 0;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kb) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Ok(Some(s)) = child.try_wait() {
            break s.code().unwrap_or(-1);
        }
        if kill_after.is_some_and(|k| start.elapsed() > k) {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (code, peak_kb)
}
