// Removes the card number from an order and marks the message redacted.
// Test orders are filtered out: they never reach a subscription.
function redact(message, metadata) {
  const order = JSON.parse(message.data);
  if (order.test) {
    return null;
  }
  delete order.card;
  message.attributes.redacted = "true";
  return { data: JSON.stringify(order), attributes: message.attributes };
}
