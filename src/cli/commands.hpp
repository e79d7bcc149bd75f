#pragma once
namespace sb::cli {
int main(int argc, char** argv);
}
