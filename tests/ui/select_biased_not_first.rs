async fn biased_second() {
    zokio::select! {
        _ = async {} => {}
        biased;
    }
}

fn main() {}
