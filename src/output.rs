//! Output directories whose files are complete or absent.
//!
//! Files are staged under temporary names in the target directory and
//! renamed into place only when every file has been written, so an error
//! half-way leaves no partial output behind.

use std::fs;
use std::path::{Path, PathBuf};

use crate::CliResult;

/// A set of files to write into one directory.
pub struct Staged {
    dir: PathBuf,
    files: Vec<(PathBuf, PathBuf)>,
    created_dir: bool,
}

impl Staged {
    /// Start writing into `dir` (created if missing).
    pub fn new(dir: &Path) -> CliResult<Staged> {
        let created_dir = !dir.exists();
        fs::create_dir_all(dir).map_err(|e| format!("cannot create output directory {}: {e}", dir.display()))?;
        Ok(Staged { dir: dir.to_path_buf(), files: Vec::new(), created_dir })
    }

    /// Write one file's bytes under a temporary name.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> CliResult<()> {
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let fin = self.dir.join(name);
        if let Err(e) = fs::write(&tmp, bytes) {
            let _ = fs::remove_file(&tmp);
            return Err(format!("cannot write {}: {e}", tmp.display()).into());
        }
        self.files.push((tmp, fin));
        Ok(())
    }

    /// A temporary path in the directory (same extension as `name`) for a file written by
    /// someone else, e.g. a plot; hand it to [`Staged::adopt`] once it is written.
    pub fn temp_path(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or(name);
        let ext = p.extension().and_then(|s| s.to_str()).map(|e| format!(".{e}")).unwrap_or_default();
        self.dir.join(format!(".{stem}.tmp-{}{ext}", std::process::id()))
    }

    /// Stage a file already written at `tmp` (from [`Staged::temp_path`]) as `name`.
    pub fn adopt(&mut self, tmp: PathBuf, name: &str) {
        self.files.push((tmp, self.dir.join(name)));
    }

    /// Rename every staged file into place.
    pub fn commit(mut self) -> CliResult<Vec<PathBuf>> {
        let files = std::mem::take(&mut self.files);
        let mut done = Vec::new();
        for (tmp, fin) in files {
            fs::rename(&tmp, &fin).map_err(|e| format!("cannot write {}: {e}", fin.display()))?;
            done.push(fin);
        }
        Ok(done)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = fs::remove_file(tmp);
        }
        if self.created_dir && !self.files.is_empty() {
            let _ = fs::remove_dir(&self.dir);
        }
    }
}
