"""Assets: a code and a scale (`USD/2`, `JPY/0`, `AAPL/9`), shared by every tenant."""
