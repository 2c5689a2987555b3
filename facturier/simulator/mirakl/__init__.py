"""A fake Mirakl instance (the seller API of one operator), beside the Octopia simulator: seeded orders in the
OR11 wire shape, OR74 uploads stored, the faults of faults.FaultConfig. Needs neither Django nor a database."""
