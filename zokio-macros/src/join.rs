//! `join!` and `try_join!`: parsing and code generation.
//!
//! Input (after the facade's wrapper has prepended the crate path):
//! `crate_path = $crate; [biased;] <future>, <future>, ...`
//!
//! Every future expression is evaluated in source order and pinned on the
//! stack inside an `Option`, so that a finished future is dropped (set to
//! `None`) as soon as it yields its output. A `poll_fn` then polls the
//! unfinished ones, all in the caller's task. Unless `biased;`, the branch
//! polled first moves on by one at each poll, so no future can starve the
//! others by waking the task over and over. `try_join!` returns the first
//! `Err` at once; the remaining futures are dropped when the macro's scope
//! ends, before the caller sees the error.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Token};

use crate::common::{locate, parse_biased, parse_crate_path};

/// Which macro is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `join!`: wait for every output.
    Join,
    /// `try_join!`: wait for every `Ok`, or the first `Err`.
    TryJoin,
}

struct Join {
    krate: TokenStream,
    biased: bool,
    futures: Vec<Expr>,
}

impl Parse for Join {
    fn parse(input: ParseStream<'_>) -> syn::Result<Join> {
        let krate = parse_crate_path(input)?;
        let biased = parse_biased(input)?;
        let futures = Punctuated::<Expr, Token![,]>::parse_terminated(input)?
            .into_iter()
            .collect();
        Ok(Join {
            krate,
            biased,
            futures,
        })
    }
}

/// Expands `join_internal!` or `try_join_internal!`.
pub(crate) fn expand(mode: Mode, input: TokenStream) -> TokenStream {
    match syn::parse2::<Join>(input) {
        Ok(join) if join.futures.is_empty() => match mode {
            // Still an `.await`, so the macro needs an async context either way.
            Mode::Join => quote!(::core::future::ready(()).await),
            Mode::TryJoin => quote!(::core::future::ready(::core::result::Result::Ok(())).await),
        },
        Ok(join) => Codegen::new(mode, &join).generate(&join),
        Err(e) => e.to_compile_error(),
    }
}

/// The names used by one expansion, all with mixed-site hygiene.
struct Codegen {
    mode: Mode,
    count: u32,
    support: TokenStream,
    futs: Vec<Ident>,
    outs: Vec<Ident>,
    cx: Ident,
    pending: Ident,
    start: Ident,
    next: Ident,
    branch: Ident,
    error: Ident,
}

impl Codegen {
    fn new(mode: Mode, join: &Join) -> Codegen {
        let n = join.futures.len();
        let site = Span::mixed_site();
        let krate = &join.krate;
        Codegen {
            mode,
            count: u32::try_from(n).expect("fewer than 2^32 futures"),
            support: quote!(#krate::__macro_support),
            futs: (0..n)
                .map(|i| format_ident!("fut{}", i, span = site))
                .collect(),
            outs: (0..n)
                .map(|i| format_ident!("out{}", i, span = site))
                .collect(),
            cx: Ident::new("cx", site),
            pending: Ident::new("any_pending", site),
            start: Ident::new("start", site),
            next: Ident::new("next", site),
            branch: Ident::new("branch", site),
            error: Ident::new("error", site),
        }
    }

    /// Evaluates the future expressions and pins each future, inside an
    /// `Option`, on the stack; declares the output slots.
    fn pins(&self, futures: &[Expr]) -> TokenStream {
        let pins = futures.iter().enumerate().map(|(i, expr)| {
            let (fut, out) = (&self.futs[i], &self.outs[i]);
            // Located at the expression: "X is not a future" points at it.
            let into_future = locate(quote!(::core::future::IntoFuture::into_future), expr.span());
            quote! {
                let mut #fut = ::core::pin::pin!(::core::option::Option::Some(#into_future(#expr)));
                let mut #out = ::core::option::Option::None;
            }
        });
        quote!(#(#pins)*)
    }

    /// Polls future `index` if it has not finished; `try_join!` returns
    /// from the `poll_fn` closure on an `Err`.
    fn poll_arm(&self, index: u32, expr: &Expr) -> TokenStream {
        let Codegen {
            support,
            cx,
            pending,
            error,
            ..
        } = self;
        let i = index as usize;
        let (fut, out) = (&self.futs[i], &self.outs[i]);
        let call = match self.mode {
            Mode::Join => quote!(#support::poll_join(#fut.as_mut(), &mut #out, #cx)),
            Mode::TryJoin => quote!(#support::poll_try_join(#fut.as_mut(), &mut #out, #cx)),
        };
        // Located at the expression, so that a type error (an output that is
        // not a `Result`) points at the future that caused it.
        let call = locate(call, expr.span());
        let poll = match self.mode {
            Mode::Join => quote! {
                if !#call {
                    #pending = true;
                }
            },
            Mode::TryJoin => quote! {
                match #call {
                    ::core::task::Poll::Ready(::core::result::Result::Ok(())) => {}
                    ::core::task::Poll::Ready(::core::result::Result::Err(#error)) => {
                        return ::core::task::Poll::Ready(::core::result::Result::Err(#error));
                    }
                    ::core::task::Poll::Pending => #pending = true,
                }
            },
        };
        quote!(#index => { #poll })
    }

    /// `Ready` with the tuple of outputs (in `Ok` for `try_join!`).
    fn ready(&self) -> TokenStream {
        let support = &self.support;
        let take = self
            .outs
            .iter()
            .map(|out| quote!(#support::take_output(&mut #out)));
        match self.mode {
            Mode::Join => quote!(::core::task::Poll::Ready((#(#take,)*))),
            Mode::TryJoin => {
                quote!(::core::task::Poll::Ready(::core::result::Result::Ok((#(#take,)*))))
            }
        }
    }

    fn generate(&self, join: &Join) -> TokenStream {
        let Codegen {
            count,
            cx,
            pending,
            start,
            next,
            branch,
            ..
        } = self;
        let pins = self.pins(&join.futures);
        let arms = (0..*count)
            .zip(&join.futures)
            .map(|(index, expr)| self.poll_arm(index, expr));
        // Unless biased, the next poll starts one future further on.
        let (declare_start, rotate) = if join.biased {
            (quote!(let #start: u32 = 0;), TokenStream::new())
        } else {
            (
                quote!(let mut #start: u32 = 0;),
                quote!(#start = if #start + 1 == #count { 0 } else { #start + 1 };),
            )
        };
        let ready = self.ready();
        quote! {{
            #pins
            #declare_start
            ::core::future::poll_fn(|#cx: &mut ::core::task::Context<'_>| {
                let mut #pending = false;
                let mut #next = #start;
                for _ in 0..#count {
                    let #branch = #next;
                    #next = if #next + 1 == #count { 0 } else { #next + 1 };
                    match #branch {
                        #(#arms)*
                        _ => ::core::unreachable!("join! branch index out of range"),
                    }
                }
                #rotate
                if #pending {
                    return ::core::task::Poll::Pending;
                }
                #ready
            })
            .await
        }}
    }
}
