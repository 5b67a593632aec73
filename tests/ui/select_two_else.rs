async fn two_else() {
    zokio::select! {
        _ = async {} => {}
        else => {}
        else => {}
    }
}

fn main() {}
