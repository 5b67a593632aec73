#[zokio::main(current_thread)]
async fn flavor_name_alone() {}

#[zokio::main(worker_threads)]
async fn worker_threads_alone() {}

#[zokio::main(flavor("multi_thread"))]
async fn flavor_as_a_list() {}

fn main() {}
