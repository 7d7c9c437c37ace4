"""authorities"""
