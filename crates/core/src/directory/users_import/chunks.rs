//! A file's rows read on a blocking thread, [`CHUNK_ROWS`] at a time, while
//! the import works on the chunk before: an import never holds more than
//! three chunks of rows (the one worked on, one waiting, one being read),
//! whatever the file's size. Each pass over the file
//! (check, passwords, check again, write) reads it anew from its start.

use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::sheet::{self, SheetError, SheetRow};
use crate::store::StoreError;

/// The rows read, checked or written at a time; also the emails looked up
/// in one go.
pub(super) const CHUNK_ROWS: usize = 5_000;

/// One pass over a file's rows (see the module's comment).
pub(super) struct RowChunks<R> {
    receiver: tokio::sync::mpsc::Receiver<Result<Vec<SheetRow>>>,
    reader: tokio::task::JoinHandle<R>,
    position: Arc<AtomicU64>,
    size: u64,
}

/// Why the reading thread stopped early.
enum Stop {
    Sheet(SheetError),
    /// The import stopped listening (a problem, or cancelled).
    Gone,
}

impl From<SheetError> for Stop {
    fn from(error: SheetError) -> Self {
        Stop::Sheet(error)
    }
}

impl<R: Read + Seek + Send + 'static> RowChunks<R> {
    /// Starts reading `input` from its start.
    pub(super) fn start(mut input: R) -> Result<Self> {
        let size = input.seek(SeekFrom::End(0)).map_err(unreadable)?;
        input.seek(SeekFrom::Start(0)).map_err(unreadable)?;
        let position = Arc::new(AtomicU64::new(0));
        let (sender, receiver) = tokio::sync::mpsc::channel(1);
        let mut tracked = Tracked {
            inner: input,
            position: Arc::clone(&position),
        };
        let reader = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(CHUNK_ROWS);
            let read = sheet::for_each_row(&mut tracked, |row: &SheetRow| -> Result<(), Stop> {
                chunk.push(row.clone());
                if chunk.len() == CHUNK_ROWS {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_ROWS));
                    sender.blocking_send(Ok(full)).map_err(|_| Stop::Gone)?;
                }
                Ok(())
            });
            // A closed channel means nobody waits for what is left.
            let _ = match read {
                Ok(()) if chunk.is_empty() => Ok(()),
                Ok(()) => sender.blocking_send(Ok(chunk)),
                Err(Stop::Sheet(error)) => sender.blocking_send(Err(error.into())),
                Err(Stop::Gone) => Ok(()),
            };
            tracked.inner
        });
        Ok(Self {
            receiver,
            reader,
            position,
            size,
        })
    }

    /// The next chunk of rows (the header among the first), or `None` at
    /// the end of the file.
    pub(super) async fn next(&mut self) -> Result<Option<Vec<SheetRow>>> {
        self.receiver.recv().await.transpose()
    }

    /// How far the reading is, from 0 to 1.
    pub(super) fn share_read(&self) -> f64 {
        let position = self.position.load(Ordering::Relaxed).min(self.size);
        position as f64 / self.size.max(1) as f64
    }

    /// The file back, for the next pass, once every chunk was taken.
    pub(super) async fn finish(self) -> Result<R> {
        drop(self.receiver);
        match self.reader.await {
            Ok(input) => Ok(input),
            Err(error) => Err(Error::Store(StoreError::Internal {
                detail: format!("the thread reading the file stopped: {error}"),
            })),
        }
    }
}

fn unreadable(error: std::io::Error) -> SheetError {
    SheetError::new(None, format!("The file could not be read ({error})."))
}

/// A reader that tells how far into the file it is.
struct Tracked<R> {
    inner: R,
    position: Arc<AtomicU64>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.position.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

impl<R: Seek> Seek for Tracked<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let position = self.inner.seek(to)?;
        self.position.store(position, Ordering::Relaxed);
        Ok(position)
    }
}
