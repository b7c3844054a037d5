"""Smart Community: household safety and the property's duty room for Home Assistant."""
