//! A spinner on standard error for work that runs longer than about a
//! second (a load, a derivation, a bench phase, a what-if diff, a report),
//! drawn with `indicatif`. It is shown only when standard error is a
//! terminal and the answer is not `--json` ([`Progress::wanted`]); it never
//! writes to standard output, and it is cleared when the work ends, so what
//! a command prints is the same with or without it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long work runs before the spinner appears.
pub const DELAY: Duration = Duration::from_millis(1000);

/// A spinner that appears after [`DELAY`], and is cleared when dropped.
pub struct Progress {
    bar: Option<ProgressBar>,
    stop: Option<Sender<()>>,
    waiter: Option<JoinHandle<()>>,
}

impl Progress {
    /// Whether a command should show progress: standard error is a terminal
    /// and the answer is not JSON.
    pub fn wanted(json: bool) -> bool {
        !json && std::io::stderr().is_terminal()
    }

    /// A spinner that draws nothing, ever.
    pub fn off() -> Progress {
        Progress { bar: None, stop: None, waiter: None }
    }

    /// Starts a spinner with `message` (drawn on standard error after
    /// [`DELAY`]) when `enabled`, else [`Progress::off`].
    pub fn start(enabled: bool, message: &str) -> Progress {
        if !enabled {
            return Progress::off();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        let (stop, wait) = mpsc::channel::<()>();
        let shown = bar.clone();
        let waiter = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(DELAY) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Progress { bar: Some(bar), stop: Some(stop), waiter: Some(waiter) }
    }

    /// Says what is being done now.
    pub fn phase(&self, message: &str) {
        if let Some(b) = &self.bar {
            b.set_message(message.to_string());
        }
    }

    /// Whether this spinner may draw (it was started enabled).
    pub fn enabled(&self) -> bool {
        self.bar.is_some()
    }

    /// Ends the spinner and clears its line.
    pub fn finish(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(w) = self.waiter.take() {
            let _ = w.join();
        }
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_off_spinner_draws_nothing_and_ends_at_once() {
        let p = Progress::start(false, "loading");
        assert!(!p.enabled());
        p.phase("deriving");
        p.finish();
        // Enabled but ended before the delay: the thread stops without drawing.
        let p = Progress::start(true, "loading");
        assert!(p.enabled());
        p.finish();
    }
}
