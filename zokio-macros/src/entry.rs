//! `#[zokio::main]` and `#[zokio::test]`: argument parsing, checks and code
//! generation.
//!
//! The function body is never parsed: it is carried over as a token tree, so
//! syntax this crate's `syn` does not know still works, and the user's spans
//! survive untouched. When the arguments or the signature are wrong, the
//! expansion is still produced (with the default configuration) next to the
//! `compile_error!`, so the user sees our message and not a cascade of
//! follow-on errors such as "`main` function not found".

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Lit, Meta, MetaNameValue, ReturnType, Signature, Token, Visibility};

/// Which attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[zokio::main]`
    Main,
    /// `#[zokio::test]`
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "main",
            Kind::Test => "test",
        }
    }

    fn default_flavor(self) -> Flavor {
        match self {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        }
    }
}

/// The runtime flavour requested with `flavor = "..."`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    CurrentThread,
    MultiThread,
}

impl Flavor {
    /// The name used in `flavor = "..."`.
    fn name(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread => "multi_thread",
        }
    }

    /// The name used in prose.
    fn description(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current-thread",
            Flavor::MultiThread => "multi-thread",
        }
    }

    fn from_str(s: &str) -> Option<Flavor> {
        match s {
            "current_thread" => Some(Flavor::CurrentThread),
            "multi_thread" => Some(Flavor::MultiThread),
            _ => None,
        }
    }
}

/// The checked configuration of one attribute.
struct Config {
    flavor: Flavor,
    worker_threads: Option<usize>,
    start_paused: Option<bool>,
    crate_path: Option<syn::Path>,
}

impl Config {
    fn default_for(kind: Kind) -> Config {
        Config {
            flavor: kind.default_flavor(),
            worker_threads: None,
            start_paused: None,
            crate_path: None,
        }
    }
}

/// An `fn` item whose body is kept as an unparsed brace-delimited group.
struct ItemFn {
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    body: TokenTree,
}

impl Parse for ItemFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<ItemFn> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let body: TokenTree = input.parse()?;
        match &body {
            TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace => {}
            other => return Err(syn::Error::new(other.span(), "expected a function body")),
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function body"));
        }
        Ok(ItemFn {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Expands `#[zokio::main]` or `#[zokio::test]`.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let input: ItemFn = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(e) => {
            // Keep the item so that the only error is ours.
            let mut out = item;
            out.extend(e.to_compile_error());
            return out;
        }
    };

    if let Some(e) = check_parameters(kind, &input) {
        // A `main` or test with parameters cannot be expanded into anything
        // that compiles; emit an empty function of the same name instead.
        let ItemFn {
            attrs, vis, sig, ..
        } = &input;
        let ident = &sig.ident;
        let test_attr = test_attribute(kind, attrs);
        let mut out = quote! {
            #test_attr
            #(#attrs)*
            #vis fn #ident() {}
        };
        out.extend(e.to_compile_error());
        return out;
    }

    let mut errors = Vec::new();
    if input.sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            input.sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        ));
    }
    if kind == Kind::Test {
        if let Some(attr) = input.attrs.iter().find(|a| is_test_attribute(a)) {
            errors.push(syn::Error::new_spanned(
                attr,
                "second test attribute is supplied; `#[zokio::test]` already marks the \
                 function as a test, so remove this one",
            ));
        }
    }
    let config = match parse_config(kind, args) {
        Ok(config) => config,
        Err(e) => {
            errors.push(e);
            Config::default_for(kind)
        }
    };

    let mut out = generate(kind, input, &config);
    for e in errors {
        out.extend(e.to_compile_error());
    }
    out
}

/// `main` and tests are called without arguments.
fn check_parameters(kind: Kind, input: &ItemFn) -> Option<syn::Error> {
    let sig = &input.sig;
    let forbidden = match kind {
        Kind::Main => sig.ident == "main",
        Kind::Test => true,
    };
    if !forbidden || sig.inputs.is_empty() {
        return None;
    }
    let msg = match kind {
        Kind::Main => "the `main` function cannot accept arguments",
        Kind::Test => "a test function cannot accept arguments",
    };
    Some(syn::Error::new_spanned(&sig.inputs, msg))
}

/// True for `#[test]`, `#[core::prelude::v1::test]`, `#[zokio::test]`, ...
fn is_test_attribute(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "test")
}

/// The `#[test]` that `#[zokio::test]` adds, unless the user already wrote one
/// (which is reported as an error).
fn test_attribute(kind: Kind, attrs: &[Attribute]) -> TokenStream {
    if kind == Kind::Test && !attrs.iter().any(is_test_attribute) {
        // The full path, so that a `test` the user imported does not shadow it.
        quote!(#[::core::prelude::v1::test])
    } else {
        TokenStream::new()
    }
}

/// Parses and checks the attribute's arguments, reporting every problem found.
fn parse_config(kind: Kind, args: TokenStream) -> syn::Result<Config> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;

    let mut errors = Errors::default();
    let mut flavor: Option<Flavor> = None;
    let mut worker_threads: Option<(usize, &MetaNameValue)> = None;
    let mut start_paused: Option<(bool, &MetaNameValue)> = None;
    let mut crate_path: Option<syn::Path> = None;
    let mut seen: Vec<String> = Vec::new();

    for meta in &metas {
        let nv = match meta_name_value(kind, meta) {
            Ok(nv) => nv,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let name = nv
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        if seen.contains(&name) {
            errors.push(syn::Error::new_spanned(
                &nv.path,
                format!("`{name}` is set more than once"),
            ));
            continue;
        }
        seen.push(name.clone());
        let parsed = match name.as_str() {
            "flavor" => parse_flavor(&nv.value).map(|f| flavor = Some(f)),
            "worker_threads" => {
                parse_worker_threads(&nv.value).map(|n| worker_threads = Some((n, nv)))
            }
            "start_paused" => {
                parse_bool("start_paused", &nv.value).map(|b| start_paused = Some((b, nv)))
            }
            "crate" => parse_crate_path(&nv.value).map(|p| crate_path = Some(p)),
            _ => Err(unknown_argument(&nv.path)),
        };
        if let Err(e) = parsed {
            errors.push(e);
        }
    }

    let flavor_value = flavor.unwrap_or(kind.default_flavor());
    if let Some((_, nv)) = worker_threads {
        errors.extend(flavor_conflict(kind, flavor, Flavor::MultiThread, nv));
    }
    if let Some((_, nv)) = start_paused {
        errors.extend(flavor_conflict(kind, flavor, Flavor::CurrentThread, nv));
    }

    errors.finish()?;
    Ok(Config {
        flavor: flavor_value,
        worker_threads: worker_threads.map(|(n, _)| n),
        start_paused: start_paused.map(|(b, _)| b),
        crate_path,
    })
}

/// The error for an option (`nv`) that only the `needs` flavor supports,
/// if the flavor in use (`explicit`, or the attribute's default) is another.
fn flavor_conflict(
    kind: Kind,
    explicit: Option<Flavor>,
    needs: Flavor,
    nv: &MetaNameValue,
) -> Option<syn::Error> {
    let in_use = explicit.unwrap_or(kind.default_flavor());
    if in_use == needs {
        return None;
    }
    let option = nv
        .path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let attr = kind.name();
    let wanted = needs.name();
    let hint = if explicit.is_some() {
        format!("remove it, or use `#[zokio::{attr}(flavor = \"{wanted}\")]`")
    } else {
        format!(
            "`#[zokio::{attr}]` uses the {} runtime by default; add `flavor = \"{wanted}\"`",
            in_use.description()
        )
    };
    Some(syn::Error::new_spanned(
        nv,
        format!("the `{option}` option requires the `{wanted}` runtime flavor; {hint}"),
    ))
}

const EXPECTED_ARGUMENTS: &str = "`flavor`, `worker_threads`, `start_paused`, `crate`";

fn unknown_argument(path: &syn::Path) -> syn::Error {
    let name = path.to_token_stream().to_string().replace(' ', "");
    syn::Error::new_spanned(
        path,
        format!("unknown argument `{name}`; expected one of: {EXPECTED_ARGUMENTS}"),
    )
}

/// Every argument has the form `name = value`; explain what to write otherwise.
fn meta_name_value(kind: Kind, meta: &Meta) -> syn::Result<&MetaNameValue> {
    let path = match meta {
        Meta::NameValue(nv) => return Ok(nv),
        Meta::Path(path) => path,
        Meta::List(list) => &list.path,
    };
    let attr = kind.name();
    let name = path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let msg = match name.as_str() {
        "multi_thread" | "current_thread" => {
            format!("set the runtime flavor with `#[zokio::{attr}(flavor = \"{name}\")]`")
        }
        "flavor" => "`flavor` needs a value: `flavor = \"multi_thread\"` or \
                     `flavor = \"current_thread\"`"
            .to_owned(),
        "worker_threads" => {
            "`worker_threads` needs a value, such as `worker_threads = 4`".to_owned()
        }
        "start_paused" => "`start_paused` needs a value: `start_paused = true`".to_owned(),
        "crate" => "`crate` needs a value, such as `crate = \"my_zokio\"`".to_owned(),
        _ => return Err(unknown_argument(path)),
    };
    Err(syn::Error::new_spanned(meta, msg))
}

fn parse_flavor(value: &Expr) -> syn::Result<Flavor> {
    let lit = match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => s,
        _ => {
            return Err(syn::Error::new_spanned(
                value,
                "`flavor` must be a string: `\"multi_thread\"` or `\"current_thread\"`",
            ))
        }
    };
    Flavor::from_str(&lit.value()).ok_or_else(|| {
        syn::Error::new_spanned(
            lit,
            format!(
                "no runtime flavor `{}`; the flavors are `\"multi_thread\"` and \
                 `\"current_thread\"`",
                lit.value()
            ),
        )
    })
}

fn parse_worker_threads(value: &Expr) -> syn::Result<usize> {
    let lit = match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => i,
        _ => {
            return Err(syn::Error::new_spanned(
                value,
                "`worker_threads` must be an integer literal, such as `4`",
            ))
        }
    };
    let n: usize = lit.base10_parse().map_err(|e| {
        syn::Error::new_spanned(lit, format!("`worker_threads` is not a valid count: {e}"))
    })?;
    if n == 0 {
        return Err(syn::Error::new_spanned(
            lit,
            "`worker_threads` may not be 0; the multi-thread runtime needs at least one worker",
        ));
    }
    Ok(n)
}

fn parse_bool(name: &str, value: &Expr) -> syn::Result<bool> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.value),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{name}` must be `true` or `false`"),
        )),
    }
}

fn parse_crate_path(value: &Expr) -> syn::Result<syn::Path> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => s
            .parse::<syn::Path>()
            .map_err(|e| syn::Error::new_spanned(s, format!("`crate` is not a valid path: {e}"))),
        _ => Err(syn::Error::new_spanned(
            value,
            "`crate` must be a string holding a path, such as `crate = \"my_zokio\"`",
        )),
    }
}

/// Collects errors so that all of them are reported at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(e),
            None => self.0 = Some(e),
        }
    }

    fn extend(&mut self, e: Option<syn::Error>) {
        if let Some(e) = e {
            self.push(e);
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// True if the tokens contain `impl` (an `impl Trait` return type cannot be
/// named in the type annotation that `generate` adds).
fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(ident) => ident == "impl",
        TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}

/// The synchronous function that builds a runtime and blocks on the body.
fn generate(kind: Kind, input: ItemFn, config: &Config) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        body,
    } = input;
    sig.asyncness = None;
    let test_attr = test_attribute(kind, &attrs);

    let krate = match &config.crate_path {
        Some(path) => path.to_token_stream(),
        None => quote!(::zokio),
    };
    let builder = match config.flavor {
        Flavor::CurrentThread => quote!(new_current_thread),
        Flavor::MultiThread => quote!(new_multi_thread),
    };
    let mut knobs = TokenStream::new();
    if let Some(n) = config.worker_threads {
        knobs.extend(quote!(.worker_threads(#n)));
    }
    if let Some(paused) = config.start_paused {
        knobs.extend(quote!(.start_paused(#paused)));
    }

    // Locals of the expansion are invisible to the body (mixed-site hygiene).
    let fut = syn::Ident::new("body", Span::mixed_site());
    let rt = syn::Ident::new("runtime", Span::mixed_site());

    // When the function is plain (no parameters, no generics, not `unsafe`;
    // always so for `main` and tests), the body becomes a nested `async fn`
    // with the same return type: the compiler checks it exactly as it would
    // the original, and a wrong value is reported on the user's expression.
    // Otherwise the body is an `async move` block, which takes the parameters
    // and keeps the function's generics and `unsafe` context; a
    // `dyn Future<Output = ..>` annotation still checks its output against
    // the declared type.
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let plain = sig.inputs.is_empty()
        && sig.generics.params.is_empty()
        && sig.generics.where_clause.is_none()
        && sig.unsafety.is_none()
        && sig.abi.is_none();
    let make_body = if plain {
        let inner = syn::Ident::new("zokio_body", Span::mixed_site());
        let ret = &sig.output;
        quote! {
            async fn #inner() #ret #body
            let #fut = #inner();
        }
    } else if mentions_impl(output.clone()) {
        quote!(let #fut = async move #body;)
    } else {
        let output_span = sig.output.span();
        quote_spanned! {output_span=>
            let #fut = async move #body;
            let #fut: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output>> =
                ::core::pin::pin!(#fut);
        }
    };

    quote! {
        #test_attr
        #(#attrs)*
        #vis #sig {
            #make_body
            #[allow(clippy::expect_used)]
            let #rt = #krate::runtime::Builder::#builder()
                #knobs
                .enable_all()
                .build()
                .expect("failed to build the Zokio runtime");
            #rt.block_on(#fut)
        }
    }
}
