"""Organisation: regions, partners, territories, teams, people."""
