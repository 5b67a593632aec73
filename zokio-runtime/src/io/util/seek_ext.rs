//! [`AsyncSeekExt`].

use crate::io::AsyncSeek;
use std::future::Future;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Seeking helpers for every [`AsyncSeek`].
///
/// # Examples
///
/// ```
/// use std::io::{Cursor, SeekFrom};
/// use zokio::io::AsyncSeekExt;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut c = Cursor::new(vec![0u8; 10]);
/// assert_eq!(c.seek(SeekFrom::End(-2)).await.unwrap(), 8);
/// assert_eq!(c.stream_position().await.unwrap(), 8);
/// c.rewind().await.unwrap();
/// # });
/// ```
pub trait AsyncSeekExt: AsyncSeek {
    /// Seeks to `pos`; returns the new position from the start.
    fn seek(&mut self, pos: SeekFrom) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        Seek {
            seeker: self,
            pos: Some(pos),
        }
    }

    /// Seeks to the start.
    fn rewind(&mut self) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        self.seek(SeekFrom::Start(0))
    }

    /// The current position.
    fn stream_position(&mut self) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        self.seek(SeekFrom::Current(0))
    }
}

impl<S: AsyncSeek + ?Sized> AsyncSeekExt for S {}

/// Future of [`AsyncSeekExt::seek`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Seek<'a, S: ?Sized> {
    seeker: &'a mut S,
    pos: Option<SeekFrom>,
}

impl<S: AsyncSeek + Unpin + ?Sized> Future for Seek<'_, S> {
    type Output = io::Result<u64>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let me = self.get_mut();
        match me.pos {
            Some(pos) => {
                // Finish a seek someone else started, then start ours.
                ready!(Pin::new(&mut *me.seeker).poll_complete(cx))?;
                Pin::new(&mut *me.seeker).start_seek(pos)?;
                me.pos = None;
                Pin::new(&mut *me.seeker).poll_complete(cx)
            }
            None => Pin::new(&mut *me.seeker).poll_complete(cx),
        }
    }
}
