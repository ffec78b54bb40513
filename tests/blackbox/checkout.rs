//! Checkout through the real binary (work in progress).
