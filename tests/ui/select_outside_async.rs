fn not_async() {
    zokio::select! {
        _ = async {} => {}
    }
}

fn main() {}
