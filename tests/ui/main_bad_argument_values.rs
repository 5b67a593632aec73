#[zokio::main(worker_threads = "4")]
async fn string_worker_threads() {}

#[zokio::main(flavor = "current_thread", start_paused = 1)]
async fn integer_start_paused() {}

#[zokio::main(crate = zokio)]
async fn unquoted_crate_path() {}

#[zokio::main(crate = "not a path")]
async fn invalid_crate_path() {}

#[zokio::main(flavor = current_thread)]
async fn unquoted_flavor() {}

fn main() {}
