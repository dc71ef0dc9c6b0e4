"""A Feathers real-time app"""
