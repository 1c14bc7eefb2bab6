//! File helpers every importer shares.

use crate::error::LoadError;
use std::path::Path;

/// A path as error messages print it.
pub(crate) fn display(p: &Path) -> String {
    p.display().to_string()
}

pub(crate) fn read_error(path: &Path, e: std::io::Error) -> LoadError {
    LoadError::Read { file: display(path), reason: e.to_string() }
}

/// Files at least this large are read in pieces on several threads.
const PIECEWISE: u64 = 64 << 20;

/// A whole file as UTF-8 text, read as [`std::fs::read_to_string`] does,
/// except that a large file is read in pieces on every thread rayon has:
/// the copy out of the page cache and the first touch of each page of the
/// buffer are then shared by the cores.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    read_text_from(path, PIECEWISE)
}

/// [`read_text`], in pieces from `piecewise` bytes on.
fn read_text_from(path: &Path, piecewise: u64) -> Result<String, LoadError> {
    let bytes = read_bytes(path, piecewise).map_err(|e| read_error(path, e))?;
    String::from_utf8(bytes)
        .map_err(|_| read_error(path, std::io::Error::new(std::io::ErrorKind::InvalidData, "stream did not contain valid UTF-8")))
}

/// Frees a text read by [`read_text`]; a large one on a thread of its own,
/// as giving hundreds of megabytes back to the system takes a while and
/// nothing needs to wait for it.
pub fn release(text: String) {
    if text.len() as u64 >= PIECEWISE {
        // When no thread can be started, the closure, and the text with it,
        // is dropped here.
        let _ = std::thread::Builder::new().name("release".into()).spawn(move || drop(text));
    }
}

#[cfg(unix)]
fn read_bytes(path: &Path, piecewise: u64) -> std::io::Result<Vec<u8>> {
    use rayon::prelude::*;
    use std::io::Read;
    use std::os::unix::fs::FileExt;
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let threads = rayon::current_num_threads();
    if threads < 2 || len < piecewise || usize::try_from(len).is_err() {
        let mut out = Vec::new();
        f.read_to_end(&mut out)?;
        return Ok(out);
    }
    let mut out = vec![0u8; len as usize];
    let piece = (len as usize).div_ceil(threads * 4).max(1);
    out.par_chunks_mut(piece).enumerate().try_for_each(|(i, buf)| f.read_exact_at(buf, (i * piece) as u64))?;
    // Whatever the file gained since its size was read.
    let mut rest = Vec::new();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(len))?;
    f.read_to_end(&mut rest)?;
    out.extend_from_slice(&rest);
    Ok(out)
}

#[cfg(not(unix))]
fn read_bytes(path: &Path, _piecewise: u64) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Read in pieces (any size counts as large here), a file comes back
    /// byte for byte, multi-byte characters across the cuts included, and
    /// text that is not UTF-8 is refused naming the file.
    #[test]
    fn pieces_give_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let text: String = (0..5000).map(|i| format!("{{\"id\": \"C{i}\", \"n\": \"é✓𝄞\"}},")).collect();
        std::fs::write(&path, &text).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        assert_eq!(pool.install(|| read_text_from(&path, 0)).unwrap(), text);
        assert_eq!(read_text(&path).unwrap(), text);
        let mut bad = text.into_bytes();
        bad[7777] = 0xff;
        std::fs::write(&path, &bad).unwrap();
        let err = pool.install(|| read_text_from(&path, 0)).unwrap_err().to_string();
        assert!(err.contains("t.json") && err.contains("UTF-8"), "{err}");
    }
}
