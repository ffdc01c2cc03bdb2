"""Tag plugins: language, entities (people, places, organizations), quotes, keywords."""
