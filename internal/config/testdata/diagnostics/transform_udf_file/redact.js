function redact(message, metadata) {
  const order = JSON.parse(message.data;
  return message;
}
