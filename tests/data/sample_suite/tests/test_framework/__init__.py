"""In-house helpers shared by the orders-service test suite."""
