fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    match gatelint::yaml::load(&text) {
        Ok(docs) => for d in &docs { for n in d.nodes() { println!("{:?}", n); } },
        Err(e) => println!("ERR {e:?}"),
    }
}
