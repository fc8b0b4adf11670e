topic "orders" {
}
