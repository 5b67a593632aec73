//! An intrusive, doubly linked FIFO of waiters.
//!
//! The waiting futures of `Semaphore`, `Notify` and `broadcast` each embed a
//! [`Node`]. A pinned future links its node into the primitive's [`List`],
//! which lives behind that primitive's mutex, so enqueueing and cancelling are
//! O(1) and allocate nothing.
//!
//! # Rules
//!
//! 1. A [`List`] is only reached through the mutex of the primitive that owns
//!    it; every method takes `&mut self`, so holding the guard is the proof.
//! 2. A node's links are read and written only by the list methods, i.e. only
//!    with that mutex held.
//! 3. A node is linked only while it is pinned, and its owner removes it (under
//!    the mutex) before the memory goes away. Owners keep a flag of their own, or
//!    a state in the node's payload, that tells them whether the node may still be
//!    linked; `Drop` consults it and calls [`List::remove`].
//! 4. Whoever unlinks a node with [`List::pop_front`] or [`List::remove`] must
//!    not touch it again after handing the result to its owner (typically a
//!    `Release` store the owner observes): from then on the owner may free it.

use crate::loom::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomPinned;
use std::ptr::NonNull;

/// One entry of a [`List`], embedded in a pinned future.
pub(crate) struct Node<T> {
    /// Guarded by the owning list's mutex (rule 2).
    links: UnsafeCell<Links<T>>,
    /// The waiter's payload. Fields that other threads write must be atomics or
    /// `UnsafeCell`s documented as guarded by the list's mutex.
    pub(crate) data: T,
    /// Linked nodes are addressed by pointer, so they must not move; `!Unpin`
    /// also keeps `&mut` to the owning future from asserting uniqueness.
    _pin: PhantomPinned,
}

type Link<T> = Option<NonNull<Node<T>>>;

struct Links<T> {
    prev: Link<T>,
    next: Link<T>,
}

// SAFETY: the links are only touched with the owning list's mutex held (rule 2),
// which serialises every access across threads; the payload is shared as `T`
// itself would be.
unsafe impl<T: Send> Send for Node<T> {}
// SAFETY: as above: `&Node` only gives access to the links under the mutex and to
// the payload through `&T`.
unsafe impl<T: Sync> Sync for Node<T> {}

impl<T> Node<T> {
    pub(crate) fn new(data: T) -> Node<T> {
        Node {
            links: UnsafeCell::new(Links {
                prev: None,
                next: None,
            }),
            data,
            _pin: PhantomPinned,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Node<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node").field("data", &self.data).finish()
    }
}

/// The head and tail of an intrusive FIFO of [`Node`]s.
pub(crate) struct List<T> {
    head: Option<NonNull<Node<T>>>,
    tail: Option<NonNull<Node<T>>>,
}

// SAFETY: a list is only a pair of pointers into nodes that are `Send`/`Sync`
// when `T` is; it is always used behind a mutex (rule 1).
unsafe impl<T: Send> Send for List<T> {}
// SAFETY: see the `Send` impl: `&List` gives no access to the nodes.
unsafe impl<T: Sync> Sync for List<T> {}

impl<T> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("empty", &self.head.is_none())
            .finish()
    }
}

/// Reads a node's links.
///
/// # Safety
///
/// `node` must be alive and the caller must hold the owning list's mutex.
unsafe fn links<T>(node: NonNull<Node<T>>) -> (Link<T>, Link<T>) {
    // SAFETY: the node is alive and the mutex is held (caller's contract), so no
    // other access to the links is in flight.
    unsafe { (*node.as_ptr()).links.with(|l| ((*l).prev, (*l).next)) }
}

/// Overwrites a node's `prev` link.
///
/// # Safety
///
/// As for [`links`].
unsafe fn set_prev<T>(node: NonNull<Node<T>>, prev: Option<NonNull<Node<T>>>) {
    // SAFETY: the caller holds the mutex and the node is alive.
    unsafe { (*node.as_ptr()).links.with_mut(|l| (*l).prev = prev) }
}

/// Overwrites a node's `next` link.
///
/// # Safety
///
/// As for [`links`].
unsafe fn set_next<T>(node: NonNull<Node<T>>, next: Option<NonNull<Node<T>>>) {
    // SAFETY: the caller holds the mutex and the node is alive.
    unsafe { (*node.as_ptr()).links.with_mut(|l| (*l).next = next) }
}

impl<T> List<T> {
    pub(crate) const fn new() -> List<T> {
        List {
            head: None,
            tail: None,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// The oldest node, still linked.
    pub(crate) fn front(&self) -> Option<NonNull<Node<T>>> {
        self.head
    }

    /// Links `node` at the back.
    ///
    /// # Safety
    ///
    /// `node` is pinned, is in no list, and stays alive until it is unlinked
    /// (rule 3). The caller holds the owning mutex (`&mut self` proves rule 1).
    pub(crate) unsafe fn push_back(&mut self, node: NonNull<Node<T>>) {
        // SAFETY: the node is alive and unlinked, the mutex is held.
        unsafe {
            set_prev(node, self.tail);
            set_next(node, None);
        }
        match self.tail {
            // SAFETY: the tail is linked, hence alive (rule 3).
            Some(tail) => unsafe { set_next(tail, Some(node)) },
            None => self.head = Some(node),
        }
        self.tail = Some(node);
    }

    /// Unlinks and returns the oldest node.
    pub(crate) fn pop_front(&mut self) -> Option<NonNull<Node<T>>> {
        let head = self.head?;
        // SAFETY: linked nodes are alive (rule 3) and `&mut self` means the mutex
        // is held (rule 1).
        unsafe { self.unlink(head) };
        Some(head)
    }

    /// Unlinks and returns the newest node.
    pub(crate) fn pop_back(&mut self) -> Option<NonNull<Node<T>>> {
        let tail = self.tail?;
        // SAFETY: as in `pop_front`.
        unsafe { self.unlink(tail) };
        Some(tail)
    }

    /// Unlinks `node` if it is linked into this list; returns whether it was.
    ///
    /// # Safety
    ///
    /// `node` is alive, and is either linked into this list or into none.
    pub(crate) unsafe fn remove(&mut self, node: NonNull<Node<T>>) -> bool {
        // SAFETY: alive (caller's contract) and the mutex is held.
        let (prev, _) = unsafe { links(node) };
        if prev.is_none() && self.head != Some(node) {
            return false;
        }
        // SAFETY: the node is linked into this list.
        unsafe { self.unlink(node) };
        true
    }

    /// # Safety
    ///
    /// `node` is linked into this list.
    unsafe fn unlink(&mut self, node: NonNull<Node<T>>) {
        // SAFETY: linked into this list, so alive; its neighbours too.
        unsafe {
            let (prev, next) = links(node);
            match prev {
                Some(prev) => set_next(prev, next),
                None => self.head = next,
            }
            match next {
                Some(next) => set_prev(next, prev),
                None => self.tail = prev,
            }
            set_prev(node, None);
            set_next(node, None);
        }
    }
}
