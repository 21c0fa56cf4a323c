"""Seed data for the dev fleet (placeholder until the real seed script lands)."""


def main() -> None:
    """Load nothing: there is no seed data yet."""
    print("nothing to seed yet")


if __name__ == "__main__":
    main()
