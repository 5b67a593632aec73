//! `select!`: parsing of the branches and code generation.
//!
//! Input (after the facade's `macro_rules!` wrapper has prepended the crate
//! path):
//!
//! ```text
//! crate_path = $crate;
//! [biased;]
//! <pattern> = <future> [, if <precondition>] => <handler> [,]
//! ...
//! [else => <handler> [,]]
//! ```
//!
//! The expansion, for branches `0..N`:
//!
//! 1. Evaluates every precondition, in source order; a false one disables
//!    its branch.
//! 2. Evaluates every future expression, in source order (disabled branches
//!    too), and pins each on the stack.
//! 3. Awaits a `poll_fn` that polls the enabled branches, starting at a random
//!    branch (or at branch 0 when `biased;`). A branch whose future is ready
//!    is disabled; if its value matches the branch pattern, the `poll_fn`
//!    returns it, otherwise polling goes on. When no branch is left enabled,
//!    the `poll_fn` returns `Disabled`.
//! 4. Drops all the futures (the scope that pinned them ends), then matches
//!    the value against the winning branch's pattern and runs its handler
//!    (or the `else` handler) in the caller's own context, so that `return`,
//!    `break`, `continue`, `?` and `.await` in a handler behave as written.
//!
//! Locals of the expansion have mixed-site hygiene, so user code can neither
//! see nor shadow them.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Pat, Token};

use crate::common::{locate, parse_biased, parse_crate_path, peek_biased};

/// A parsed `select!` invocation.
struct Select {
    krate: TokenStream,
    biased: bool,
    branches: Vec<Branch>,
    else_branch: Option<ElseBranch>,
}

/// `<pattern> = <future> [, if <precondition>] => <handler>`
struct Branch {
    pat: Pat,
    fut: Expr,
    precondition: Option<Expr>,
    handler: TokenStream,
}

/// `else => <handler>`
struct ElseBranch {
    span: Span,
    handler: TokenStream,
}

/// Parses a handler: a block (the comma after it is optional) or an
/// expression (a comma must follow, unless it ends the input).
fn parse_handler(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    if input.peek(syn::token::Brace) {
        let block: TokenTree = input.parse()?;
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        return Ok(block.into_token_stream());
    }
    let expr: Expr = input.parse()?;
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !input.is_empty() {
        return Err(input.error(
            "expected `,` after this `select!` handler (a comma may be left out only after a \
             `{ ... }` block or the last branch)",
        ));
    }
    Ok(expr.into_token_stream())
}

impl Parse for ElseBranch {
    fn parse(input: ParseStream<'_>) -> syn::Result<ElseBranch> {
        let else_token: Token![else] = input.parse()?;
        if !input.peek(Token![=>]) {
            return Err(input.error("expected `=>` after `else` in `select!`"));
        }
        input.parse::<Token![=>]>()?;
        Ok(ElseBranch {
            span: else_token.span,
            handler: parse_handler(input)?,
        })
    }
}

impl Parse for Branch {
    fn parse(input: ParseStream<'_>) -> syn::Result<Branch> {
        if peek_biased(input) {
            return Err(input.error("`biased;` must come first in `select!`, before any branch"));
        }
        let pat = Pat::parse_multi_with_leading_vert(input)?;
        if !input.peek(Token![=]) || input.peek(Token![=>]) {
            return Err(input.error(
                "expected `=` after the pattern of a `select!` branch \
                 (`<pattern> = <future> => <handler>`)",
            ));
        }
        input.parse::<Token![=]>()?;
        let fut: Expr = input.parse()?;
        let precondition = if input.peek(Token![,]) && input.peek2(Token![if]) {
            input.parse::<Token![,]>()?;
            input.parse::<Token![if]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        if !input.peek(Token![=>]) {
            return Err(input.error(
                "expected `=>` after the future of a `select!` branch \
                 (`<pattern> = <future> => <handler>`, or \
                 `<pattern> = <future>, if <condition> => <handler>`)",
            ));
        }
        input.parse::<Token![=>]>()?;
        Ok(Branch {
            pat,
            fut,
            precondition,
            handler: parse_handler(input)?,
        })
    }
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Select> {
        let krate = parse_crate_path(input)?;
        let biased = parse_biased(input)?;
        let mut branches = Vec::new();
        let mut else_branch: Option<ElseBranch> = None;

        while !input.is_empty() {
            if input.peek(Token![else]) {
                if else_branch.is_some() {
                    return Err(input.error("`select!` takes at most one `else` branch"));
                }
                else_branch = Some(input.parse()?);
            } else {
                branches.push(input.parse()?);
            }
        }

        if branches.is_empty() {
            return Err(match &else_branch {
                Some(else_branch) => syn::Error::new(
                    else_branch.span,
                    "`select!` needs at least one branch besides `else`: \
                     `<pattern> = <future> => <handler>`",
                ),
                None => syn::Error::new(
                    Span::call_site(),
                    "`select!` needs at least one branch: `<pattern> = <future> => <handler>`",
                ),
            });
        }
        Ok(Select {
            krate,
            biased,
            branches,
            else_branch,
        })
    }
}

/// Expands `select_internal!`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<Select>(input) {
        Ok(select) => Codegen::new(&select).generate(&select),
        Err(e) => e.to_compile_error(),
    }
}

/// A copy of `pat` fit to test a `&Output` without binding anything by
/// value: `ref` and `mut` are removed, so every binding takes the default
/// (by-reference) mode. Identifiers are kept, as they may name unit variants
/// or unit structs that the test must honour.
fn clean_pattern(pat: &mut Pat) {
    match pat {
        Pat::Ident(ident) => {
            ident.by_ref = None;
            ident.mutability = None;
            if let Some((_, sub)) = &mut ident.subpat {
                clean_pattern(sub);
            }
        }
        Pat::Or(or) => or.cases.iter_mut().for_each(clean_pattern),
        Pat::Paren(paren) => clean_pattern(&mut paren.pat),
        Pat::Reference(reference) => clean_pattern(&mut reference.pat),
        Pat::Slice(slice) => slice.elems.iter_mut().for_each(clean_pattern),
        Pat::Struct(strukt) => strukt
            .fields
            .iter_mut()
            .for_each(|field| clean_pattern(&mut field.pat)),
        Pat::Tuple(tuple) => tuple.elems.iter_mut().for_each(clean_pattern),
        Pat::TupleStruct(tuple) => tuple.elems.iter_mut().for_each(clean_pattern),
        Pat::Type(typed) => clean_pattern(&mut typed.pat),
        _ => {}
    }
}

/// The names used by one expansion. Locals have mixed-site hygiene: user
/// code can neither see nor shadow them. The output enum is an item, which
/// hygiene cannot hide, so it has a name no one would write.
struct Codegen {
    count: u32,
    output: Ident,
    variants: Vec<Ident>,
    futs: Vec<Ident>,
    disabled: Ident,
    value: Ident,
    cx: Ident,
    pending: Ident,
    next: Ident,
    branch: Ident,
    out: Ident,
}

impl Codegen {
    fn new(select: &Select) -> Codegen {
        let n = select.branches.len();
        let site = Span::mixed_site();
        Codegen {
            count: u32::try_from(n).expect("fewer than 2^32 select! branches"),
            output: format_ident!("__ZokioSelectOutput"),
            variants: (0..n).map(|i| format_ident!("B{}", i)).collect(),
            futs: (0..n)
                .map(|i| format_ident!("fut{}", i, span = site))
                .collect(),
            disabled: Ident::new("disabled", site),
            value: Ident::new("value", site),
            cx: Ident::new("cx", site),
            pending: Ident::new("any_pending", site),
            next: Ident::new("next", site),
            branch: Ident::new("branch", site),
            out: Ident::new("output", site),
        }
    }

    /// Disables the branches whose precondition is false.
    fn preconditions(&self, branches: &[Branch]) -> TokenStream {
        let disabled = &self.disabled;
        let checks = branches.iter().enumerate().filter_map(|(i, b)| {
            b.precondition.as_ref().map(|cond| {
                quote! {
                    if !(#cond) {
                        #disabled[#i] = true;
                    }
                }
            })
        });
        quote!(#(#checks)*)
    }

    /// Evaluates the future expressions and pins the futures on the stack.
    fn pins(&self, branches: &[Branch]) -> TokenStream {
        let pins = branches.iter().zip(&self.futs).map(|(b, fut)| {
            let expr = &b.fut;
            // Located at the expression: "X is not a future" points at it.
            let into_future = locate(quote!(::core::future::IntoFuture::into_future), expr.span());
            quote! {
                let mut #fut = ::core::pin::pin!(#into_future(#expr));
            }
        });
        quote!(#(#pins)*)
    }

    /// Polls branch `index` unless it is disabled; returns from the
    /// `poll_fn` closure if it finished with a value its pattern accepts.
    fn poll_arm(&self, index: u32, branch: &Branch) -> TokenStream {
        let Codegen {
            output,
            disabled,
            value,
            cx,
            pending,
            ..
        } = self;
        let i = index as usize;
        let (fut, variant) = (&self.futs[i], &self.variants[i]);
        let mut check = branch.pat.clone();
        clean_pattern(&mut check);
        quote! {
            #index => {
                if #disabled[#i] {
                    continue;
                }
                let #value = match ::core::future::Future::poll(#fut.as_mut(), #cx) {
                    ::core::task::Poll::Ready(#value) => #value,
                    ::core::task::Poll::Pending => {
                        #pending = true;
                        continue;
                    }
                };
                // A finished future is never polled again.
                #disabled[#i] = true;
                #[allow(unused_variables, unused_mut, unreachable_patterns)]
                match &#value {
                    #check => {}
                    _ => continue,
                }
                return ::core::task::Poll::Ready(#output::#variant(#value));
            }
        }
    }

    /// The `poll_fn` that polls every enabled branch once per poll, starting
    /// at a random branch unless `biased`.
    fn poll_fn(&self, select: &Select) -> TokenStream {
        let Codegen {
            count,
            output,
            cx,
            pending,
            next,
            branch,
            ..
        } = self;
        let krate = &select.krate;
        let start = if select.biased {
            quote!(0)
        } else {
            quote!(#krate::__macro_support::thread_rng_n(#count))
        };
        let arms = (0..*count)
            .zip(&select.branches)
            .map(|(index, b)| self.poll_arm(index, b));
        quote! {
            ::core::future::poll_fn(|#cx: &mut ::core::task::Context<'_>| {
                // Like any resource, select! yields once the task's
                // cooperative budget is spent, so a loop over always-ready
                // branches still lets other tasks run.
                if #krate::__macro_support::poll_budget_available(#cx).is_pending() {
                    return ::core::task::Poll::Pending;
                }
                let mut #next: u32 = #start;
                let mut #pending = false;
                for _ in 0..#count {
                    let #branch = #next;
                    #next = if #next + 1 == #count { 0 } else { #next + 1 };
                    match #branch {
                        #(#arms)*
                        _ => ::core::unreachable!("select! branch index out of range"),
                    }
                }
                if #pending {
                    ::core::task::Poll::Pending
                } else {
                    ::core::task::Poll::Ready(#output::Disabled)
                }
            })
        }
    }

    /// The match that runs the winning branch's handler, or `else`.
    fn handlers(&self, select: &Select) -> TokenStream {
        let output = &self.output;
        let arms = select
            .branches
            .iter()
            .zip(&self.variants)
            .map(|(b, variant)| {
                let (pat, handler) = (&b.pat, &b.handler);
                quote!(#output::#variant(#pat) => #handler,)
            });
        let else_arm = match &select.else_branch {
            Some(else_branch) => {
                let handler = &else_branch.handler;
                quote!(#output::Disabled => #handler,)
            }
            None => quote! {
                #output::Disabled => ::core::panic!(
                    "all branches of `select!` are disabled and there is no `else` branch"
                ),
            },
        };
        let out = &self.out;
        quote! {
            match #out {
                #(#arms)*
                #else_arm
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!(
                    "a select! branch finished with a value its pattern rejects"
                ),
            }
        }
    }

    fn generate(&self, select: &Select) -> TokenStream {
        let Codegen {
            output,
            variants,
            disabled,
            out,
            ..
        } = self;
        let n = select.branches.len();
        let generics: Vec<_> = (0..n).map(|i| format_ident!("T{}", i)).collect();
        let preconditions = self.preconditions(&select.branches);
        let pins = self.pins(&select.branches);
        let poll_fn = self.poll_fn(select);
        let handlers = self.handlers(select);
        quote! {{
            #[allow(non_camel_case_types, clippy::large_enum_variant)]
            enum #output<#(#generics,)*> {
                #(#variants(#generics),)*
                Disabled,
            }

            let mut #disabled: [bool; #n] = [false; #n];
            #preconditions

            let #out = {
                #pins
                #poll_fn.await
            }; // The futures are dropped here, before any handler runs.

            #handlers
        }}
    }
}
