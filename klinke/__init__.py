"""klinke: the hub for a network of tech collectives and their supporters."""
