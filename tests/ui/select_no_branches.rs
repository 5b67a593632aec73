async fn empty() {
    zokio::select! {}
}

async fn only_else() {
    zokio::select! {
        else => {}
    }
}

fn main() {}
