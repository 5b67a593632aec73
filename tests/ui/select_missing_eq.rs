async fn missing_eq() {
    zokio::select! {
        v => v,
    }
}

fn main() {}
