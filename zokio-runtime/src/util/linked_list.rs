//! An intrusive doubly-linked list.
//!
//! The list does not own allocations: nodes embed their [`Pointers`], and the
//! list threads raw pointers through them. Used for the owned-tasks list,
//! where O(1) removal from the middle matters and no allocation per task is
//! wanted.

use crate::loom::cell::UnsafeCell;
use std::fmt;
use std::ptr::NonNull;

/// A type that can be threaded on a [`LinkedList`].
///
/// # Safety
///
/// `pointers` must return the `Pointers` embedded in the node behind the given
/// pointer, valid for as long as the node is on a list. A node must be on at
/// most one list at a time, must not move while on a list, and must stay
/// allocated until it is removed.
pub(crate) unsafe trait Link {
    /// The node type.
    type Target;

    /// The pointers embedded in `target`.
    ///
    /// # Safety
    ///
    /// `target` must point to a live node.
    unsafe fn pointers(target: NonNull<Self::Target>) -> NonNull<Pointers<Self::Target>>;
}

/// The previous and next links of a node. Only the list that holds the node
/// (under whatever lock guards that list) reads or writes them.
pub(crate) struct Pointers<T> {
    inner: UnsafeCell<PointersInner<T>>,
}

struct PointersInner<T> {
    prev: Option<NonNull<T>>,
    next: Option<NonNull<T>>,
}

impl<T> Pointers<T> {
    pub(crate) fn new() -> Pointers<T> {
        Pointers {
            inner: UnsafeCell::new(PointersInner {
                prev: None,
                next: None,
            }),
        }
    }

    fn prev(&self) -> Option<NonNull<T>> {
        // SAFETY: the list holding this node has exclusive access to its
        // pointers (trait `Link` contract), and we are called by that list.
        self.inner.with(|p| unsafe { (*p).prev })
    }

    fn next(&self) -> Option<NonNull<T>> {
        // SAFETY: as in `prev`.
        self.inner.with(|p| unsafe { (*p).next })
    }

    fn set_prev(&self, value: Option<NonNull<T>>) {
        // SAFETY: as in `prev`.
        self.inner.with_mut(|p| unsafe { (*p).prev = value });
    }

    fn set_next(&self, value: Option<NonNull<T>>) {
        // SAFETY: as in `prev`.
        self.inner.with_mut(|p| unsafe { (*p).next = value });
    }
}

impl<T> fmt::Debug for Pointers<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pointers").finish_non_exhaustive()
    }
}

/// The list: a head and a tail. Pushes go to the front, pops from the back.
pub(crate) struct LinkedList<L: Link> {
    head: Option<NonNull<L::Target>>,
    tail: Option<NonNull<L::Target>>,
}

// SAFETY: the list only holds pointers; whoever puts nodes on it guarantees
// (by the `Link` contract and its own lock) that they may be reached from the
// thread that holds the list. Nodes here are task headers, which are Sync.
unsafe impl<L: Link> Send for LinkedList<L> where L::Target: Send + Sync {}
// SAFETY: as above; `&LinkedList` allows no access to nodes.
unsafe impl<L: Link> Sync for LinkedList<L> where L::Target: Send + Sync {}

impl<L: Link> LinkedList<L> {
    pub(crate) const fn new() -> LinkedList<L> {
        LinkedList {
            head: None,
            tail: None,
        }
    }

    /// Pushes `node` to the front.
    ///
    /// # Safety
    ///
    /// `node` must be live, not on any list, and stay put until removed.
    pub(crate) unsafe fn push_front(&mut self, node: NonNull<L::Target>) {
        // SAFETY: node is live (caller contract).
        let ptrs = unsafe { L::pointers(node).as_ref() };
        ptrs.set_next(self.head);
        ptrs.set_prev(None);
        if let Some(head) = self.head {
            // SAFETY: head is on this list, so it is live.
            unsafe { L::pointers(head).as_ref() }.set_prev(Some(node));
        }
        self.head = Some(node);
        if self.tail.is_none() {
            self.tail = Some(node);
        }
    }

    /// Removes and returns the node at the back.
    pub(crate) fn pop_back(&mut self) -> Option<NonNull<L::Target>> {
        let tail = self.tail?;
        // SAFETY: tail is on this list, so it is live; only we touch its links.
        let ptrs = unsafe { L::pointers(tail).as_ref() };
        self.tail = ptrs.prev();
        match self.tail {
            // SAFETY: the new tail is on this list.
            Some(prev) => unsafe { L::pointers(prev).as_ref() }.set_next(None),
            None => self.head = None,
        }
        ptrs.set_prev(None);
        ptrs.set_next(None);
        Some(tail)
    }

    /// Removes `node` if it is on this list; returns it if it was.
    ///
    /// # Safety
    ///
    /// `node` must be live and either on this list or on no list.
    pub(crate) unsafe fn remove(&mut self, node: NonNull<L::Target>) -> Option<NonNull<L::Target>> {
        // SAFETY: node is live (caller contract).
        let ptrs = unsafe { L::pointers(node).as_ref() };
        match ptrs.prev() {
            // SAFETY: a linked neighbour is on this list, so it is live.
            Some(prev) => unsafe { L::pointers(prev).as_ref() }.set_next(ptrs.next()),
            None => {
                if self.head != Some(node) {
                    return None;
                }
                self.head = ptrs.next();
            }
        }
        match ptrs.next() {
            // SAFETY: as above.
            Some(next) => unsafe { L::pointers(next).as_ref() }.set_prev(ptrs.prev()),
            None => {
                debug_assert_eq!(self.tail, Some(node));
                self.tail = ptrs.prev();
            }
        }
        ptrs.set_prev(None);
        ptrs.set_next(None);
        Some(node)
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }
}

impl<L: Link> fmt::Debug for LinkedList<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedList")
            .field("head", &self.head)
            .field("tail", &self.tail)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    struct Node {
        value: i32,
        pointers: Pointers<Node>,
    }

    struct NodeLink;

    // SAFETY: `pointers` returns the node's own embedded field.
    unsafe impl Link for NodeLink {
        type Target = Node;
        unsafe fn pointers(target: NonNull<Node>) -> NonNull<Pointers<Node>> {
            // SAFETY: target is live (caller contract); addr_of avoids a reference.
            unsafe { NonNull::new_unchecked(std::ptr::addr_of_mut!((*target.as_ptr()).pointers)) }
        }
    }

    fn node(value: i32) -> Box<Node> {
        Box::new(Node {
            value,
            pointers: Pointers::new(),
        })
    }

    #[test]
    fn push_remove_pop() {
        let mut a = node(1);
        let mut b = node(2);
        let mut c = node(3);
        let mut list = LinkedList::<NodeLink>::new();
        let pa = NonNull::from(&mut *a);
        let pb = NonNull::from(&mut *b);
        let pc = NonNull::from(&mut *c);
        // SAFETY: the boxes outlive the list's use of them and do not move.
        unsafe {
            list.push_front(pa);
            list.push_front(pb);
            list.push_front(pc);
            assert_eq!(list.remove(pb), Some(pb));
            assert_eq!(list.remove(pb), None, "a removed node is not found again");
        }
        let first = list.pop_back().unwrap();
        // SAFETY: the node is live (box `a`).
        assert_eq!(unsafe { first.as_ref() }.value, 1);
        let second = list.pop_back().unwrap();
        // SAFETY: the node is live (box `c`).
        assert_eq!(unsafe { second.as_ref() }.value, 3);
        assert!(list.pop_back().is_none());
        assert!(list.is_empty());
    }
}
