"""The workforce duties (framework 9.2; 9.1's ASYE year): ASYE review points, from Teams and the command line."""
